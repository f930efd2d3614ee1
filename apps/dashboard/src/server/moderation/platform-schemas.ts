/**
 * The platform API's request and response shapes as zod schemas: the handlers parse requests with
 * them, the responses are typed by them, and `/api/v1/openapi.json` is generated from them
 * (`openapi.ts`), so the published contract is the code's own. The vocabulary (statuses, actions)
 * is the moderation contract's and the limits are the ones the handler enforces.
 */
import { CONTENT_STATUSES, DECISION_ACTIONS, POLICY_ACTIONS } from '@ganmod/moderation/contract';
import {
  MAX_SUBMISSION_PAGE,
  type PublicSubmission,
  type SubmissionPage,
  type SubmittedItem,
} from '@ganmod/db/client';
import { z } from 'zod';
import { roles } from '~/lib/roles';

/** Page size when `limit` is not given. */
export const DEFAULT_SUBMISSION_PAGE = 50;

const timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC.' });

/** Every error: `{ "error": "<what is wrong>" }`. */
export const errorSchema = z
  .object({ error: z.string().meta({ description: 'What is wrong, naming the field.' }) })
  .meta({ id: 'Error' });

export const deciderSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('policy'), policyVersion: z.string().nullable() }),
    z.object({
      type: z.literal('moderator'),
      role: z.enum(roles).meta({ description: 'A moderator is named by role only.' }),
    }),
  ])
  .meta({ id: 'Decider', description: 'Who decided: the policy (its version) or a moderator.' });

export const decisionSchema = z
  .object({
    action: z.enum(DECISION_ACTIONS),
    reasonCode: z.string().meta({ examples: ['policy.review', 'spam'] }),
    by: deciderSchema,
    at: timestamp,
  })
  .meta({ id: 'Decision' });

export const reasonSchema = z
  .object({
    category: z.string().nullable(),
    detector: z.string().nullable(),
    score: z.number().nullable(),
    label: z.string().nullable(),
    action: z.enum(POLICY_ACTIONS).nullable(),
  })
  .meta({ id: 'Reason', description: "One detector's contribution to the policy's verdict." });

/** What the reads return for an item (`PublicSubmission` in `@ganmod/db`). */
export const submissionSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    status: z.enum(CONTENT_STATUSES),
    verdict: decisionSchema
      .nullable()
      .meta({ description: 'The latest decision; null while PENDING.' }),
    policy: z
      .object({
        action: z.enum(POLICY_ACTIONS),
        version: z.string().nullable(),
        reasons: z.array(reasonSchema),
      })
      .nullable(),
    decisions: z.array(decisionSchema).meta({ description: 'Every decision, oldest first.' }),
    sha256: z.string().nullable(),
    mime: z.string().nullable(),
    bytes: z.number().int().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Submission' });

export const submissionPageSchema = z
  .object({
    items: z.array(submissionSchema),
    nextCursor: z.string().nullable().meta({
      description:
        'Where the next page starts; pass it back unchanged. Null only when nothing was ever returned.',
    }),
    hasMore: z.boolean(),
  })
  .meta({ id: 'SubmissionPage' });

/** What `POST /api/v1/submissions` returns (201 created, 200 the same post again). */
export const submittedItemSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    status: z.enum(CONTENT_STATUSES),
    policyAction: z.enum(POLICY_ACTIONS).nullable(),
    reasons: z
      .array(z.record(z.string(), z.unknown()))
      .nullable()
      .meta({ description: "The scorer's reasons once scored; null while PENDING." }),
    sha256: z.string().nullable(),
    mime: z.string().nullable(),
    bytes: z.number().int().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'SubmittedItem' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only while the schemas describe exactly what the read queries return. */
export type SchemasMatchReads = [
  Same<z.output<typeof submissionSchema>, PublicSubmission> extends true ? true : never,
  Same<z.output<typeof submissionPageSchema>, SubmissionPage> extends true ? true : never,
];
export const schemasMatchReads: SchemasMatchReads = [true, true];

/** What a 201/200 of `POST /api/v1/submissions` serialises (JSON turns the Date into a string). */
type SubmittedItemJson = Omit<z.input<typeof submittedItemSchema>, 'createdAt' | 'reasons'> & {
  createdAt: Date;
  reasons: unknown;
};
/** Compiles only while the submit handler's answer (`SubmittedItem`) is what the contract says. */
export type SubmittedItemMatchesContract = SubmittedItem extends SubmittedItemJson ? true : never;
export const submittedItemMatchesContract: SubmittedItemMatchesContract = true;

const updatedSince = z.iso.datetime({
  offset: true,
  error:
    'Query parameter `updated_since` must be an ISO 8601 date-time with a time zone, e.g. 2026-12-06T09:30:00Z.',
});

/** The query of `GET /api/v1/submissions` (each parameter at most once). */
export const submissionListQuerySchema = z.object({
  updated_since: updatedSince
    .optional()
    .meta({ description: 'Only items updated at or after this instant (with a time zone).' }),
  cursor: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{1,400}$/,
      'Query parameter `cursor` is malformed: not a cursor returned by this API (bad characters or length). Pass a `nextCursor` from a previous page unchanged.',
    )
    .optional()
    .meta({ description: "A previous page's `nextCursor`, unchanged." }),
  limit: z
    .string()
    .regex(
      /^\d{1,3}$/,
      `Query parameter \`limit\` must be an integer from 1 to ${MAX_SUBMISSION_PAGE}.`,
    )
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `Query parameter \`limit\` must be an integer from 1 to ${MAX_SUBMISSION_PAGE}.`)
        .max(
          MAX_SUBMISSION_PAGE,
          `Query parameter \`limit\` must be an integer from 1 to ${MAX_SUBMISSION_PAGE}.`,
        ),
    )
    .optional()
    .meta({
      description: `Items per page, 1 to ${MAX_SUBMISSION_PAGE} (default ${DEFAULT_SUBMISSION_PAGE}).`,
    }),
});

/** The path parameter of `GET /api/v1/submissions/{externalId}`. */
export const externalIdParamSchema = z.object({
  externalId: z.string().min(1).meta({ description: 'Your id, percent-encoded.' }),
});
