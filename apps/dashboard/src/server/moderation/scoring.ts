import 'server-only';
import type { Db } from '@ganmod/db';

/**
 * Scores a stored item with the moderation pipeline and applies the policy's verdict.
 * `@ganmod/moderation` is not wired in yet: items stay PENDING ("marked for scoring"), which the
 * review queue shows as unscored so a human still sees them. Returns whether the item was scored.
 */
export async function scoreItem(_db: Db, _itemId: string): Promise<boolean> {
  return Promise.resolve(false);
}
