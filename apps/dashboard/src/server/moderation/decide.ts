import 'server-only';
import { TRPCError } from '@trpc/server';
import type { Db } from '@ganmod/db/client';
import {
  isReasonCode,
  reviewableStatuses,
  statusAfter,
  type ModeratorAction,
} from '~/lib/moderation';
import { claimableBy } from './claims';

export interface DecisionInput {
  itemId: string;
  /** The item version the moderator saw; the decision is refused if it changed since. */
  version: number;
  action: ModeratorAction;
  reasonCode: string;
  note?: string | undefined;
}

/**
 * Records a moderator's decision: moves the item to its new status and appends to the audit log,
 * in one transaction. Optimistic concurrency: the UPDATE matches only the version the moderator
 * saw, so of two concurrent decisions on one item exactly one is recorded.
 *
 * @throws TRPCError CONFLICT with a message saying who decided, or what changed, when refused.
 */
export async function decideItem(db: Db, input: DecisionInput, actorId: string, now = new Date()) {
  if (!isReasonCode(input.action, input.reasonCode)) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Unknown reason code for ${input.action}: ${input.reasonCode}`,
    });
  }
  return db.$transaction(async (tx) => {
    const { count } = await tx.contentItem.updateMany({
      where: {
        id: input.itemId,
        version: input.version,
        status: { in: [...reviewableStatuses] },
        ...claimableBy(actorId, now),
      },
      data: {
        status: statusAfter[input.action],
        version: { increment: 1 },
        claimedById: null,
        claimExpiresAt: null,
      },
    });
    if (count === 0) throw await refusal(tx as unknown as Db, input, actorId, now);
    // The log keeps who decided as they were at this moment, whatever the user becomes later.
    const actor = await tx.user.findUniqueOrThrow({
      where: { id: actorId },
      select: { name: true, role: true },
    });
    return tx.decision.create({
      data: {
        itemId: input.itemId,
        actorId,
        actorName: actor.name,
        actorRole: actor.role,
        action: input.action,
        reasonCode: input.reasonCode,
        note: input.note?.trim() || null,
      },
    });
  });
}

/** Explains why a decision matched no row, in words a moderator can act on. */
async function refusal(
  db: Db,
  input: DecisionInput,
  actorId: string,
  now: Date,
): Promise<TRPCError> {
  const item = await db.contentItem.findUnique({
    where: { id: input.itemId },
    select: {
      status: true,
      version: true,
      claimedById: true,
      claimExpiresAt: true,
      claimedBy: { select: { name: true } },
      decisions: {
        where: { actorId: { not: null } },
        orderBy: { createdAt: 'desc' },
        take: 1,
        select: { action: true, createdAt: true, actorName: true },
      },
    },
  });
  if (!item) return new TRPCError({ code: 'NOT_FOUND', message: 'No such item.' });
  const last = item.decisions[0];
  const by = last
    ? ` by ${last.actorName ?? 'someone'} at ${last.createdAt.toISOString().slice(11, 19)} UTC`
    : '';
  if (!(reviewableStatuses as readonly string[]).includes(item.status)) {
    return new TRPCError({
      code: 'CONFLICT',
      message: `Already decided${by} (${item.status.toLowerCase()}). Your decision was not recorded.`,
    });
  }
  if (
    item.claimedById &&
    item.claimedById !== actorId &&
    item.claimExpiresAt &&
    item.claimExpiresAt >= now
  ) {
    return new TRPCError({
      code: 'CONFLICT',
      message: `${item.claimedBy?.name ?? 'Another moderator'} is reviewing this item. Your decision was not recorded.`,
    });
  }
  return new TRPCError({
    code: 'CONFLICT',
    message: `This item changed since you opened it${by ? ` (last action${by})` : ''}. Reload it and decide again.`,
  });
}
