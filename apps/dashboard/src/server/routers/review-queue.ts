import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  DECISION_ACTIONS,
  DETECTOR_CATEGORIES,
  MODERATOR_ACTIONS,
} from '@ganmod/moderation/contract';
import { access } from '~/lib/roles';
import { claimItem, claimNextItem, leaseSeconds, releaseItem } from '../moderation/claims';
import { decideItem } from '../moderation/decide';
import {
  QUEUE_SORTS,
  QUEUE_VIEWS,
  getItem,
  listReviewQueue,
  queueCategories,
} from '../moderation/review-queue';
import { moderationStats } from '../moderation/stats';
import { protectedProcedure, router } from '../trpc';

const moderatorProcedure = protectedProcedure(access.moderation);

const decision = z.object({
  itemId: z.string().min(1),
  version: z.number().int().min(0),
  action: z.enum(MODERATOR_ACTIONS),
  reasonCode: z.string().min(1),
  note: z.string().max(2000).optional(),
});

/** A queue view as the page shows it: which items, filtered and sorted how (list and claimNext). */
const queueViewInput = z.object({
  view: z.enum(QUEUE_VIEWS).default('review'),
  category: z.enum(DETECTOR_CATEGORIES).optional(),
  minScore: z.number().min(0).max(1).optional(),
  olderThanMinutes: z.number().int().min(1).max(525_600).optional(),
  sort: z.enum(QUEUE_SORTS).default('oldest'),
});

/** Moderators: the review queue, claims and decisions. */
export const reviewQueueRouter = router({
  list: moderatorProcedure
    .input(
      queueViewInput.extend({
        limit: z.number().int().min(1).max(500).default(100),
        offset: z.number().int().min(0).default(0),
      }),
    )
    .query(({ ctx, input }) => listReviewQueue(ctx.db, input, ctx.user.id)),

  categories: moderatorProcedure.query(() => queueCategories()),

  item: moderatorProcedure
    .input(z.object({ id: z.string().min(1) }))
    .query(async ({ ctx, input }) => {
      const item = await getItem(ctx.db, input.id);
      if (!item) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such item.' });
      return { ...item, leaseSeconds: leaseSeconds() };
    }),

  /**
   * Opening an item claims it (a lease of `leaseSeconds`); calling it again while the item is open
   * is the tab's heartbeat, which renews the lease. The response carries the fresh item.
   */
  claim: moderatorProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      await claimItem(ctx.db, input.id, ctx.user.id);
      const item = await getItem(ctx.db, input.id);
      return item ? { ...item, leaseSeconds: leaseSeconds() } : null;
    }),

  /**
   * Claims the first item of the view that no other moderator's live lease holds (what the queue
   * opens when nothing is open); `id` null when every item is held or none is left.
   */
  claimNext: moderatorProcedure.input(queueViewInput).mutation(async ({ ctx, input }) => {
    const claimed = await claimNextItem(ctx.db, input, ctx.user.id);
    return { id: claimed?.itemId ?? null };
  }),

  release: moderatorProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      await releaseItem(ctx.db, input.id, ctx.user.id);
      return { ok: true as const };
    }),

  decide: moderatorProcedure
    .input(decision)
    .mutation(({ ctx, input }) => decideItem(ctx.db, input, ctx.user.id)),

  /**
   * One action on many items. Each item is decided on its own (claim, then decide at the version
   * the moderator saw); the result lists which were recorded and why the others were not.
   */
  decideMany: moderatorProcedure
    .input(
      z.object({
        items: z
          .array(z.object({ itemId: z.string().min(1), version: z.number().int().min(0) }))
          .min(1)
          .max(200),
        action: z.enum(MODERATOR_ACTIONS),
        reasonCode: z.string().min(1),
        note: z.string().max(2000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const results: { itemId: string; ok: boolean; error?: string }[] = [];
      for (const { itemId, version } of input.items) {
        try {
          await decideItem(
            ctx.db,
            {
              itemId,
              version,
              action: input.action,
              reasonCode: input.reasonCode,
              note: input.note,
            },
            ctx.user.id,
          );
          results.push({ itemId, ok: true });
        } catch (err) {
          results.push({
            itemId,
            ok: false,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
      return { decided: results.filter((r) => r.ok).length, results };
    }),

  stats: moderatorProcedure.query(({ ctx }) => moderationStats(ctx.db)),
});

/** Moderators: the append-only decision log. */
export const decisionsRouter = router({
  log: moderatorProcedure
    .input(
      z.object({
        actorId: z.string().optional(),
        action: z.enum(DECISION_ACTIONS).optional(),
        cursor: z.string().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.decision.findMany({
        where: {
          ...(input.actorId ? { actorId: input.actorId === 'policy' ? null : input.actorId } : {}),
          ...(input.action ? { action: input.action } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        // The actor as recorded with the decision (name and role then), not the user's current name.
        include: {
          item: { select: { id: true, externalId: true, caption: true, status: true } },
        },
      });
      const more = rows.length > input.limit;
      return {
        rows: rows.slice(0, input.limit),
        nextCursor: more ? rows[input.limit - 1]?.id : undefined,
      };
    }),

  moderators: moderatorProcedure.query(({ ctx }) =>
    ctx.db.user.findMany({
      where: { role: { in: ['MODERATOR', 'ADMIN'] } },
      select: { id: true, name: true },
      orderBy: { name: 'asc' },
    }),
  ),
});
