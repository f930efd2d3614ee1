import { readSubmission } from '@ganmod/db/client';
import {
  otherMethods,
  platformRoute,
  problem,
} from '../../../../../../server/platform/platform-route';
import { firstIssue } from '../../../../../../server/platform/submission-form';
import { externalIdParamSchema } from '~/server/moderation/platform-schemas';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/v1/submissions/{externalId}` (the id percent-encoded, e.g. with encodeURIComponent):
 * the calling key's item with that externalId, its status, verdict, reasons and decision history
 * (`PublicSubmission` in `@ganmod/db`, `submissionSchema` in the contract). 404 when the key has
 * no such item: another key's item with the same externalId is never shown and answers exactly
 * as an unknown id does. 401 bad key, 429 over the key's rate limit.
 */
export const GET = platformRoute(
  async (_req, { key, db }, ctx: { params: Promise<{ externalId: string }> }) => {
    const params = externalIdParamSchema.safeParse(await ctx.params);
    if (!params.success) return problem(400, firstIssue(params.error));
    const item = await readSubmission(db, key.id, params.data.externalId);
    if (!item) return problem(404, 'No submission with this externalId for this API key.');
    return Response.json(item);
  },
);

const ALLOWED = ['GET'] as const;
export const POST = otherMethods(ALLOWED);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
