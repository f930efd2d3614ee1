import 'server-only';
/** The review queue: items awaiting a moderator (not the training-run queue, which is `runs`). */
import type { Db, Prisma } from '@ganmod/db/client';
import { refusalOf } from '~/lib/refusal';
import {
  DETECTOR_CATEGORIES,
  FLAG_THRESHOLD,
  type DetectorCategory,
  type ReviewableStatus,
} from '@ganmod/moderation/contract';

/** The queue's views: scored items in review, escalated ones, and submissions not scored yet. */
export const QUEUE_VIEWS = ['review', 'escalated', 'unscored'] as const;
/** The queue's sort orders. */
export const QUEUE_SORTS = ['oldest', 'newest', 'score'] as const;

export interface ReviewQueueFilter {
  view: (typeof QUEUE_VIEWS)[number];
  /** Only items whose top-scoring detector is of this category. */
  category?: DetectorCategory | undefined;
  /** Only items whose top score is at least this. */
  minScore?: number | undefined;
  /** Only items older than this many minutes. */
  olderThanMinutes?: number | undefined;
  sort: (typeof QUEUE_SORTS)[number];
  limit: number;
  /** Items of the sorted, filtered queue to skip (a later page). */
  offset?: number | undefined;
}

/**
 * The status each view lists. PENDING items are not scored yet: they are the "Unscored" view
 * only, so "Needs review" sorts and filters by scores every item of it has.
 */
const statusOf: Record<ReviewQueueFilter['view'], ReviewableStatus> = {
  review: 'IN_REVIEW',
  escalated: 'ESCALATED',
  unscored: 'PENDING',
};

/**
 * The order of each sort, ties broken by age then id so pages do not overlap. Indexed:
 * (status, createdAt), (status, topScore), (status, topCategory, topScore).
 */
export const reviewQueueOrder: Record<
  ReviewQueueFilter['sort'],
  Prisma.ContentItemOrderByWithRelationInput[]
> = {
  oldest: [{ createdAt: 'asc' }, { id: 'asc' }],
  newest: [{ createdAt: 'desc' }, { id: 'desc' }],
  // topScore is never NULL (0 until a detector scored the item), so no NULLS LAST: Prisma
  // emulates that with an expression that no index serves.
  score: [{ topScore: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
};

/**
 * Matching items above which {@link reviewQueueWhere} writes a range filter on a column the sort
 * does not order by as NOT (its opposite). SQLite's planner (no stat4) reads such a range from its
 * own index and sorts all of it, which at depth is tens of thousands of rows (110–300 ms for
 * `score ≥ 0.8` under "oldest first" at 100k in review); walking the sort's index and testing each
 * row, which NOT forces, finds a page after a few hundred rows when many match. When few match,
 * walking the whole status to find them costs more than sorting them, so the range stays.
 * PostgreSQL folds `NOT (a < x)` back to `a >= x` and weighs both plans against the LIMIT itself.
 */
export const SORT_SCAN_MIN_MATCHES = 5_000;

/**
 * The filter as a Prisma `where` over the item's own columns (no join, so SQL can use the
 * indexes). `walkSortIndex` (many items match, see {@link SORT_SCAN_MIN_MATCHES}) writes the
 * range that is not the sort's key as NOT (its opposite), the same rows without an index to read.
 */
export function reviewQueueWhere(
  filter: ReviewQueueFilter,
  now = new Date(),
  walkSortIndex = false,
) {
  const byScore = filter.sort === 'score';
  const cutoff = filter.olderThanMinutes
    ? new Date(now.getTime() - filter.olderThanMinutes * 60_000)
    : undefined;
  const notKeys: Prisma.ContentItemWhereInput[] = [];
  if (walkSortIndex && filter.minScore && !byScore)
    notKeys.push({ topScore: { lt: filter.minScore } });
  if (walkSortIndex && cutoff && byScore) notKeys.push({ createdAt: { gt: cutoff } });
  return {
    status: statusOf[filter.view],
    ...(filter.category ? { topCategory: filter.category } : {}),
    ...(filter.minScore && !(walkSortIndex && !byScore)
      ? { topScore: { gte: filter.minScore } }
      : {}),
    ...(cutoff && !(walkSortIndex && byScore) ? { createdAt: { lte: cutoff } } : {}),
    ...(notKeys.length > 0 ? { NOT: notKeys } : {}),
  } satisfies Prisma.ContentItemWhereInput;
}

/** Whether the filter has a range on a column the sort does not order by (see {@link SORT_SCAN_MIN_MATCHES}). */
export function hasOffSortRange(
  filter: Pick<ReviewQueueFilter, 'sort' | 'minScore' | 'olderThanMinutes'>,
) {
  return filter.sort === 'score' ? Boolean(filter.olderThanMinutes) : Boolean(filter.minScore);
}

/** The filter's exact count, and the `where` to read its items in sort order with given that count. */
export async function reviewQueueReadWhere(db: Db, filter: ReviewQueueFilter, now = new Date()) {
  const where = reviewQueueWhere(filter, now);
  const total = await db.contentItem.count({ where });
  return { total, read: reviewQueueWhere(filter, now, total > SORT_SCAN_MIN_MATCHES) };
}

/**
 * One page of the items awaiting a moderator, sorted and filtered over the whole backlog in SQL
 * (each item carries its top score and category, written when it is scored), and the exact
 * number of items matching the filter (`total`, a COUNT over the same `where`).
 */
export async function listReviewQueue(
  db: Db,
  filter: ReviewQueueFilter,
  userId: string,
  now = new Date(),
) {
  // The count first: it is read from one index, and tells which plan reads the page fastest.
  const { total, read } = await reviewQueueReadWhere(db, filter, now);
  const offset = filter.offset ?? 0;
  const items = await db.contentItem.findMany({
    where: read,
    orderBy: reviewQueueOrder[filter.sort],
    skip: offset,
    take: filter.limit,
    select: {
      id: true,
      externalId: true,
      caption: true,
      imagePath: true,
      status: true,
      version: true,
      createdAt: true,
      topScore: true,
      topDetector: true,
      topCategory: true,
      reasons: true,
      claimExpiresAt: true,
      claimedById: true,
      claimedBy: { select: { name: true } },
      // Only this page's flagged scores (a few rows per item), not the backlog's.
      scores: {
        where: { score: { gte: FLAG_THRESHOLD } },
        select: { detector: true },
        orderBy: { score: 'desc' },
      },
    },
  });
  const rows = items.map((item) => {
    const claimLive =
      item.claimedById !== null && item.claimExpiresAt !== null && item.claimExpiresAt >= now;
    return {
      id: item.id,
      externalId: item.externalId,
      caption: item.caption,
      hasImage: item.imagePath !== null,
      status: item.status,
      version: item.version,
      createdAt: item.createdAt,
      topDetector: item.topDetector,
      topCategory: item.topCategory,
      topScore: item.topDetector === null ? null : item.topScore,
      // A refusal by input validation is the item's headline, not "unscored".
      refusal: refusalOf(item.reasons),
      flagged: item.scores.map((s) => s.detector),
      claim: claimLive
        ? { byMe: item.claimedById === userId, name: item.claimedBy?.name ?? '' }
        : null,
    };
  });
  const next = offset + rows.length;
  return { items: rows, total, nextOffset: next < total ? next : null };
}

/** One item with everything a moderator needs to decide: scores with reasons, and its history. */
export async function getItem(db: Db, id: string) {
  return db.contentItem.findUnique({
    where: { id },
    include: {
      scores: { orderBy: { score: 'desc' } },
      // Each decision carries its actor's name as it was then (actorName), shown in the history.
      decisions: { orderBy: { createdAt: 'asc' } },
      claimedBy: { select: { id: true, name: true } },
      submittedByKey: { select: { name: true, prefix: true } },
    },
  });
}

/**
 * The categories the queue filters by: the vocabulary's, not a scan of the scores (a DISTINCT
 * over every score row took seconds on a large backlog, on every queue load).
 */
export function queueCategories(): DetectorCategory[] {
  return [...DETECTOR_CATEGORIES];
}
