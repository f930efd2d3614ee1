import 'server-only';
import { TRPCError } from '@trpc/server';
import { loadEnvironment } from '@ganmod/config';
import {
  claimContentItem,
  claimNextContentItem,
  releaseContentItemClaim,
  type Db,
} from '@ganmod/db/client';
import {
  hasOffSortRange,
  reviewQueueOrder,
  reviewQueueReadWhere,
  reviewQueueWhere,
  type ReviewQueueFilter,
} from './review-queue';

/** A moderator's lease on an item, in seconds (`GANMOD_CLAIM_SECONDS`); the open tab renews it. */
export function leaseSeconds(): number {
  return loadEnvironment().claimSeconds;
}

/**
 * Claims an item for `userId` (or renews their lease, the open tab's heartbeat):
 * `claimContentItem` in `@ganmod/db`, whose one conditional UPDATE decides the race between moderators.
 *
 * @throws TRPCError CONFLICT naming the holder when someone else's claim is live, or when the item
 *   is no longer reviewable; NOT_FOUND when it does not exist.
 */
export async function claimItem(db: Db, itemId: string, userId: string, now = new Date()) {
  const result = await claimContentItem(db, itemId, userId, {
    seconds: leaseSeconds(),
    now,
  });
  switch (result.outcome) {
    case 'CLAIMED':
      return { claimExpiresAt: result.claimExpiresAt };
    case 'NOT_FOUND':
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such item.' });
    case 'DECIDED':
      throw new TRPCError({
        code: 'CONFLICT',
        message: `This item was already decided (${result.status.toLowerCase()}).`,
      });
    case 'HELD': {
      const until = result.claimExpiresAt
        ? ` until ${result.claimExpiresAt.toISOString().slice(11, 19)} UTC unless their tab renews it`
        : '';
      throw new TRPCError({
        code: 'CONFLICT',
        message: `${result.holderName ?? 'Another moderator'} is reviewing this item${until}.`,
      });
    }
  }
}

/** Gives up the caller's claim (no-op when they do not hold it). */
export async function releaseItem(db: Db, itemId: string, userId: string) {
  await releaseContentItemClaim(db, itemId, userId);
}

/**
 * Claims the first item of the view (its filter and sort) that no other moderator's live lease
 * holds; null when there is none. What the queue opens when the moderator has nothing open.
 */
export async function claimNextItem(
  db: Db,
  filter: Omit<ReviewQueueFilter, 'limit' | 'offset'>,
  userId: string,
  now = new Date(),
) {
  const view = { ...filter, limit: 1 };
  // Counting picks the faster plan; without a range off the sort's key there is no choice.
  const read = hasOffSortRange(view)
    ? (await reviewQueueReadWhere(db, view, now)).read
    : reviewQueueWhere(view, now);
  return claimNextContentItem(
    db,
    userId,
    {
      where: read,
      orderBy: reviewQueueOrder[filter.sort],
    },
    { seconds: leaseSeconds(), now },
  );
}
