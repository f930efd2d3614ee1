import 'server-only';
import { TRPCError } from '@trpc/server';
import { loadEnvironment } from '@ganmod/config';
import { claimContentItem, releaseContentItemClaim, type Db } from '@ganmod/db/client';

/**
 * Claims an item for `userId` (or extends their claim): `claimContentItem` in `@ganmod/db`,
 * whose one conditional UPDATE decides the race between moderators.
 *
 * @throws TRPCError CONFLICT naming the holder when someone else's claim is live, or when the item
 *   is no longer reviewable; NOT_FOUND when it does not exist.
 */
export async function claimItem(db: Db, itemId: string, userId: string, now = new Date()) {
  const result = await claimContentItem(db, itemId, userId, {
    minutes: loadEnvironment().claimMinutes,
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
        ? ` until ${result.claimExpiresAt.toISOString().slice(11, 16)} UTC`
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
