import 'server-only';
import { TRPCError } from '@trpc/server';
import type { Db } from '@ganmod/db/client';
import { reviewableStatuses } from '~/lib/moderation';

/** How long a claim lasts without activity (GANMOD_CLAIM_MINUTES, default 10). */
export function claimMinutes(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.GANMOD_CLAIM_MINUTES);
  return Number.isFinite(n) && n > 0 ? n : 10;
}

/** Prisma filter: nobody else holds a live claim on the item. */
export function claimableBy(userId: string, now: Date) {
  return {
    OR: [{ claimedById: null }, { claimedById: userId }, { claimExpiresAt: { lt: now } }],
  };
}

/**
 * Claims an item for `userId` (or extends their claim). One conditional UPDATE decides the race:
 * of two moderators opening the same item at once, exactly one row update succeeds.
 *
 * @throws TRPCError CONFLICT naming the holder when someone else's claim is live, or when the item
 *   is no longer reviewable; NOT_FOUND when it does not exist.
 */
export async function claimItem(db: Db, itemId: string, userId: string, now = new Date()) {
  const expires = new Date(now.getTime() + claimMinutes() * 60_000);
  const { count } = await db.contentItem.updateMany({
    where: { id: itemId, status: { in: [...reviewableStatuses] }, ...claimableBy(userId, now) },
    data: { claimedById: userId, claimExpiresAt: expires },
  });
  if (count === 1) return { claimExpiresAt: expires };
  const item = await db.contentItem.findUnique({
    where: { id: itemId },
    select: { status: true, claimExpiresAt: true, claimedBy: { select: { name: true } } },
  });
  if (!item) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such item.' });
  if (!(reviewableStatuses as readonly string[]).includes(item.status)) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: `This item was already decided (${item.status.toLowerCase()}).`,
    });
  }
  const until = item.claimExpiresAt
    ? ` until ${item.claimExpiresAt.toISOString().slice(11, 16)} UTC`
    : '';
  throw new TRPCError({
    code: 'CONFLICT',
    message: `${item.claimedBy?.name ?? 'Another moderator'} is reviewing this item${until}.`,
  });
}

/** Gives up the caller's claim (no-op when they do not hold it). */
export async function releaseItem(db: Db, itemId: string, userId: string) {
  await db.contentItem.updateMany({
    where: { id: itemId, claimedById: userId },
    data: { claimedById: null, claimExpiresAt: null },
  });
}
