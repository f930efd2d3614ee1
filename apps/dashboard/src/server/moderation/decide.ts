import 'server-only';
import { TRPCError } from '@trpc/server';
import {
  decideContentItem,
  type DecideResult,
  type Db,
  type LastDecision,
  type ModeratorDecision,
} from '@ganmod/db/client';

export type DecisionInput = ModeratorDecision;

/**
 * Records a moderator's decision (`decideContentItem` in `@ganmod/db`: the item's new status and
 * the log entry in one transaction, optimistic on the version the moderator saw) and turns a
 * refusal into words a moderator can act on.
 *
 * @throws TRPCError BAD_REQUEST for a reason code the action does not offer; CONFLICT with a
 *   message saying who decided, or what changed, when refused; NOT_FOUND.
 */
export async function decideItem(db: Db, input: DecisionInput, actorId: string, now = new Date()) {
  return decisionOrThrow(await decideContentItem(db, input, actorId, now), input);
}

/** The recorded decision, or the refusal in a moderator's words (see {@link decideItem}). */
export function decisionOrThrow(
  result: DecideResult,
  input: Pick<DecisionInput, 'action' | 'reasonCode'>,
) {
  switch (result.outcome) {
    case 'DECIDED':
      return result.decision;
    case 'INVALID_REASON':
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `Unknown reason code for ${input.action}: ${input.reasonCode}`,
      });
    case 'NOT_FOUND':
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such item.' });
    case 'ALREADY_DECIDED':
      throw new TRPCError({
        code: 'CONFLICT',
        message: `Already decided${by(result.last)} (${result.status.toLowerCase()}). Your decision was not recorded.`,
      });
    case 'HELD':
      throw new TRPCError({
        code: 'CONFLICT',
        message: `${result.holderName ?? 'Another moderator'} is reviewing this item. Your decision was not recorded.`,
      });
    case 'STALE': {
      const last = by(result.last);
      throw new TRPCError({
        code: 'CONFLICT',
        message: `This item changed since you opened it${last ? ` (last action${last})` : ''}. Reload it and decide again.`,
      });
    }
  }
}

/** ` by <name> at hh:mm:ss UTC` for the latest moderator decision, or nothing. */
function by(last: LastDecision | null): string {
  return last
    ? ` by ${last.actorName ?? 'someone'} at ${last.createdAt.toISOString().slice(11, 19)} UTC`
    : '';
}
