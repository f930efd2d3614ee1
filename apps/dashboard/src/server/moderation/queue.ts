import 'server-only';
import type { Db } from '@ganmod/db/client';
import { FLAG_THRESHOLD, reviewableStatuses, type ReviewableStatus } from '~/lib/moderation';

export interface QueueFilter {
  view: 'review' | 'escalated' | 'unscored';
  /** Only items whose top-scoring detector is this one. */
  category?: string | undefined;
  /** Only items whose top score is at least this. */
  minScore?: number | undefined;
  /** Only items older than this many minutes. */
  olderThanMinutes?: number | undefined;
  sort: 'oldest' | 'newest' | 'score';
  limit: number;
}

const statusesFor: Record<QueueFilter['view'], ReviewableStatus[]> = {
  review: ['IN_REVIEW', 'PENDING'],
  escalated: ['ESCALATED'],
  unscored: ['PENDING'],
};

/** The queue window read per request; sorting by top score happens in memory over it. */
const QUEUE_WINDOW = 2000;

/**
 * Items awaiting a moderator, with each item's top detector score, filtered and sorted.
 * Scores live in their own table, so the filter on "top score" runs over the oldest
 * {@link QUEUE_WINDOW} items rather than in SQL; a queue deeper than that is a staffing problem.
 */
export async function listQueue(db: Db, filter: QueueFilter, userId: string, now = new Date()) {
  const items = await db.contentItem.findMany({
    where: {
      status: { in: statusesFor[filter.view] },
      ...(filter.olderThanMinutes
        ? { createdAt: { lte: new Date(now.getTime() - filter.olderThanMinutes * 60_000) } }
        : {}),
    },
    orderBy: { createdAt: 'asc' },
    take: QUEUE_WINDOW,
    select: {
      id: true,
      externalId: true,
      caption: true,
      imagePath: true,
      status: true,
      version: true,
      createdAt: true,
      claimExpiresAt: true,
      claimedById: true,
      claimedBy: { select: { name: true } },
      scores: { select: { detector: true, score: true } },
    },
  });
  const rows = items.map((item) => {
    const top = item.scores.reduce<{ detector: string; score: number } | null>(
      (best, s) => (best === null || s.score > best.score ? s : best),
      null,
    );
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
      topDetector: top?.detector ?? null,
      topScore: top?.score ?? null,
      flagged: item.scores.filter((s) => s.score >= FLAG_THRESHOLD).map((s) => s.detector),
      claim: claimLive
        ? { byMe: item.claimedById === userId, name: item.claimedBy?.name ?? '' }
        : null,
    };
  });
  const filtered = rows.filter(
    (r) =>
      (!filter.category || r.topDetector === filter.category) &&
      (filter.minScore === undefined || (r.topScore ?? 0) >= filter.minScore),
  );
  if (filter.sort === 'newest') filtered.reverse();
  if (filter.sort === 'score') filtered.sort((a, b) => (b.topScore ?? -1) - (a.topScore ?? -1));
  return { items: filtered.slice(0, filter.limit), total: filtered.length };
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

/** Detector ids seen in scores, for the category filter. */
export async function detectorNames(db: Db): Promise<string[]> {
  const rows = await db.detectorScore.findMany({
    distinct: ['detector'],
    select: { detector: true },
  });
  return rows.map((r) => r.detector).sort();
}

export { reviewableStatuses };
