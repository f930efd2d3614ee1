/**
 * What a platform reads back about its submissions (`GET /api/v1/submissions/{externalId}` and
 * `GET /api/v1/submissions?updated_since=&cursor=&limit=`): the public JSON shape, in one place,
 * and the two queries that produce it. Every read is scoped to the calling API key, so another
 * key's item is indistinguishable from one that does not exist.
 *
 * The shape carries no personal data: a moderator's decision names their role only (the stored
 * `actorName`, `actorId` and `note` are never selected), and the policy's names its version.
 */
import type { Db, DbTransaction } from './db-types.js';
import type {
  ContentStatus,
  DecisionAction,
  PolicyAction,
  Role,
} from './generated/sqlite/enums.js';
import type { Prisma } from './generated/sqlite/client.js';

// ------------------------------------------------------------------------------- public shape

/** Who made a decision: the automatic policy (its version) or a moderator (their role only). */
export type PublicDecider =
  { type: 'policy'; policyVersion: string | null } | { type: 'moderator'; role: Role };

/** One entry of an item's decision history. */
export interface PublicDecision {
  /** ALLOW, REVIEW, BLOCK (the policy) or APPROVE, REMOVE, ESCALATE (a moderator). */
  action: DecisionAction;
  /** e.g. `policy.review`, `input.caption_too_long`, or a moderator's `spam`, `no-violation`. */
  reasonCode: string;
  by: PublicDecider;
  /** ISO 8601, UTC. */
  at: string;
}

/** One detector's contribution to the policy's verdict. */
export interface PublicReason {
  /** e.g. `spam`, `explicit`, `synthetic`, `near-duplicate`, `detector-error`. */
  category: string | null;
  /** e.g. `caption-spam`; `input` for an item refused before any detector ran. */
  detector: string | null;
  /** 0 to 1. */
  score: number | null;
  label: string | null;
  /** The action this detector alone would have led to. */
  action: PolicyAction | null;
}

/** A submission as the platform API returns it on reads. */
export interface PublicSubmission {
  id: string;
  externalId: string;
  /** PENDING until scored; then ALLOWED, IN_REVIEW, BLOCKED, APPROVED, REMOVED or ESCALATED. */
  status: ContentStatus;
  /** The latest decision (the one that set `status`), or null while PENDING. */
  verdict: PublicDecision | null;
  /** The policy's verdict and its reasons, most severe first (null while PENDING). */
  policy: { action: PolicyAction; version: string | null; reasons: PublicReason[] } | null;
  /** Every decision, oldest first: the policy's, then any moderators'. */
  decisions: PublicDecision[];
  sha256: string | null;
  mime: string | null;
  bytes: number | null;
  /** ISO 8601, UTC: when the item was submitted. */
  createdAt: string;
  /** ISO 8601, UTC: the last change; the list's order and its `updated_since` filter use it. */
  updatedAt: string;
}

/** One page of {@link listSubmissions}. */
export interface SubmissionPage {
  items: PublicSubmission[];
  /**
   * Where the next page starts: after the last item returned (or the cursor given, when the page
   * is empty). Null only when nothing was returned and no cursor was given. Keep it to poll later:
   * items updated after it come after it.
   */
  nextCursor: string | null;
  /** True when more items follow right now (ask again with `nextCursor`). */
  hasMore: boolean;
}

// ---------------------------------------------------------------------------------- the query

/** Only what the public shape needs: never the moderator's id, name or note. */
const publicSelect = {
  id: true,
  externalId: true,
  status: true,
  policyAction: true,
  policyVersion: true,
  reasons: true,
  sha256: true,
  mime: true,
  bytes: true,
  createdAt: true,
  updatedAt: true,
  decisions: {
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { action: true, reasonCode: true, actorRole: true, createdAt: true },
  },
} as const satisfies Prisma.ContentItemSelect;

type Row = Prisma.ContentItemGetPayload<{ select: typeof publicSelect }>;

const POLICY_ACTION_NAMES: readonly string[] = ['ALLOW', 'REVIEW', 'BLOCK'];

function field<T>(value: unknown, type: 'string' | 'number'): T | null {
  return typeof value === type ? (value as T) : null;
}

/** The stored reasons JSON (written by the scorer) as public reasons, dropping free text. */
function publicReasons(stored: Prisma.JsonValue | null): PublicReason[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((r) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return [];
    const action = field<string>(r.action, 'string');
    return [
      {
        category: field<string>(r.category, 'string'),
        detector: field<string>(r.detector, 'string'),
        score: field<number>(r.score, 'number'),
        label: field<string>(r.label, 'string'),
        action: action && POLICY_ACTION_NAMES.includes(action) ? (action as PolicyAction) : null,
      },
    ];
  });
}

function toPublic(row: Row): PublicSubmission {
  const decisions = row.decisions.map((d): PublicDecision => ({
    action: d.action,
    reasonCode: d.reasonCode,
    // A row without a role is the policy's: the database refuses an actor without one.
    by:
      d.actorRole === null
        ? { type: 'policy', policyVersion: row.policyVersion }
        : { type: 'moderator', role: d.actorRole },
    at: d.createdAt.toISOString(),
  }));
  return {
    id: row.id,
    externalId: row.externalId,
    status: row.status,
    verdict: decisions.at(-1) ?? null,
    policy: row.policyAction
      ? {
          action: row.policyAction,
          version: row.policyVersion,
          reasons: publicReasons(row.reasons),
        }
      : null,
    decisions,
    sha256: row.sha256,
    mime: row.mime,
    bytes: row.bytes,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The key's own item with this externalId, or null (unknown, or another key's). */
export async function readSubmission(
  db: Db,
  apiKeyId: string,
  externalId: string,
): Promise<PublicSubmission | null> {
  const row = await db.contentItem.findUnique({
    where: { submittedByKeyId_externalId: { submittedByKeyId: apiKeyId, externalId } },
    select: publicSelect,
  });
  return row ? toPublic(row) : null;
}

/**
 * An item by its id in the public shape, not scoped to a key: the webhook payload, read inside
 * the transaction that changed the item (its key's endpoint is the only receiver).
 */
export async function publicSubmissionById(
  db: Db | DbTransaction,
  itemId: string,
): Promise<PublicSubmission | null> {
  const row = await db.contentItem.findUnique({ where: { id: itemId }, select: publicSelect });
  return row ? toPublic(row) : null;
}

/** {@link publicSubmissionById} for many items in one query, by item id (unknown ids absent). */
export async function publicSubmissionsByIds(
  db: Db | DbTransaction,
  itemIds: readonly string[],
): Promise<Map<string, PublicSubmission>> {
  if (itemIds.length === 0) return new Map();
  const rows = await db.contentItem.findMany({
    where: { id: { in: [...itemIds] } },
    select: publicSelect,
  });
  return new Map(rows.map((row) => [row.id, toPublic(row)]));
}

// ----------------------------------------------------------------------------------- cursors

/** A position in the (updatedAt, id) order. */
export interface SubmissionCursor {
  updatedAt: Date;
  id: string;
}

/** A `cursor` that does not decode; the message says why. */
export class SubmissionCursorError extends Error {
  override name = 'SubmissionCursorError';
}

/** Opaque to platforms: base64url of `[updatedAt ISO, id]`. */
export function encodeSubmissionCursor(cursor: SubmissionCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

/** @throws SubmissionCursorError when `text` is not a cursor this module made. */
export function decodeSubmissionCursor(text: string): SubmissionCursor {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text))
    throw new SubmissionCursorError('not a cursor returned by this API (bad characters or length)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new SubmissionCursorError('not a cursor returned by this API (does not decode)');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    parsed[1] === ''
  ) {
    throw new SubmissionCursorError('not a cursor returned by this API (unexpected content)');
  }
  const updatedAt = new Date(parsed[0]);
  if (Number.isNaN(updatedAt.getTime()) || updatedAt.toISOString() !== parsed[0])
    throw new SubmissionCursorError('not a cursor returned by this API (bad timestamp)');
  return { updatedAt, id: parsed[1] };
}

// ------------------------------------------------------------------------------------- lists

/** Most items one page may hold. */
export const MAX_SUBMISSION_PAGE = 200;

/** Options of {@link listSubmissions}. */
export interface ListSubmissionsOptions {
  /** Only items updated at or after this instant. */
  updatedSince?: Date | undefined;
  /** Start after this position (from a previous page's `nextCursor`). */
  after?: SubmissionCursor | undefined;
  /** 1 to {@link MAX_SUBMISSION_PAGE}. */
  limit: number;
}

/**
 * The key's items in (updatedAt, id) order, a page at a time. The order is total and the cursor
 * is a position in it, not an offset, so paging neither repeats nor skips an item while items
 * change: an item updated before the reader reaches it moves further on and is read once, at its
 * new state; one updated after it was read comes again, later, with its new state.
 */
export async function listSubmissions(
  db: Db,
  apiKeyId: string,
  options: ListSubmissionsOptions,
): Promise<SubmissionPage> {
  const { updatedSince, after } = options;
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_SUBMISSION_PAGE)
    throw new RangeError(`limit must be an integer from 1 to ${MAX_SUBMISSION_PAGE}`);
  const rows = await db.contentItem.findMany({
    where: {
      submittedByKeyId: apiKeyId,
      AND: [
        updatedSince ? { updatedAt: { gte: updatedSince } } : {},
        after
          ? {
              OR: [
                { updatedAt: { gt: after.updatedAt } },
                { updatedAt: after.updatedAt, id: { gt: after.id } },
              ],
            }
          : {},
      ],
    },
    orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
    take: options.limit + 1,
    select: publicSelect,
  });
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  const position = last ? { updatedAt: last.updatedAt, id: last.id } : after;
  return {
    items: page.map(toPublic),
    nextCursor: position ? encodeSubmissionCursor(position) : null,
    hasMore: rows.length > options.limit,
  };
}
