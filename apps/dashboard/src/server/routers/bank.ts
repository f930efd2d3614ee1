import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  BankInputError,
  bankSummary,
  deleteBankEntries,
  listBankEntries,
  listBankEvents,
  setBankEntriesDisabled,
} from '@ganmod/db/client';
import { BANK_LABELS } from '@ganmod/moderation/contract';
import { access } from '~/lib/roles';
import { removeAndBank } from '../moderation/bank';
import { protectedProcedure, router } from '../trpc';

// Who may do what (README "Hash bank"): moderators see, search, export, bank from the queue, and
// disable or enable entries (reversible); deleting entries and importing lists (irreversible or
// bulk) are for admins.
const moderatorProcedure = protectedProcedure(access.moderation);
const adminProcedure = protectedProcedure(access.admin);

const ids = z.array(z.string().min(1)).min(1).max(500);
const note = z.string().trim().max(500).optional();

/** A bank input error becomes a BAD_REQUEST naming the problem. */
async function asBadRequest<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BankInputError)
      throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
    throw err;
  }
}

/** The hash bank: list and search, disable/enable, delete, its audit trail, and "Remove and bank". */
export const bankRouter = router({
  list: moderatorProcedure
    .input(
      z.object({
        label: z.enum(BANK_LABELS).optional(),
        disabled: z.boolean().optional(),
        /** A PDQ hash, or several separated by commas (an image's rotations and mirrors). */
        near: z.string().trim().max(1000).optional(),
        maxDistance: z.number().int().min(0).max(64).default(31),
        limit: z.number().int().min(1).max(200).default(50),
        offset: z.number().int().min(0).default(0),
      }),
    )
    .query(({ ctx, input }) =>
      asBadRequest(() =>
        listBankEntries(ctx.db, {
          label: input.label,
          disabled: input.disabled,
          take: input.limit,
          skip: input.offset,
          ...(input.near
            ? {
                near: {
                  hash: input.near.split(',').slice(0, 8),
                  maxDistance: input.maxDistance,
                },
              }
            : {}),
        }),
      ),
    ),

  summary: moderatorProcedure.query(({ ctx }) => bankSummary(ctx.db)),

  events: moderatorProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(20) }))
    .query(({ ctx, input }) => listBankEvents(ctx.db, { take: input.limit })),

  setDisabled: moderatorProcedure
    .input(z.object({ ids, disabled: z.boolean(), note }))
    .mutation(async ({ ctx, input }) => ({
      changed: await setBankEntriesDisabled(
        ctx.db,
        input.ids,
        input.disabled,
        { userId: ctx.user.id },
        input.note ?? null,
      ),
    })),

  delete: adminProcedure.input(z.object({ ids, note })).mutation(async ({ ctx, input }) => ({
    deleted: await deleteBankEntries(
      ctx.db,
      input.ids,
      { userId: ctx.user.id },
      input.note ?? null,
    ),
  })),

  /** "Remove and bank" on a queue item: the REMOVE decision and its hashes, in one transaction. */
  removeAndBank: moderatorProcedure
    .input(
      z.object({
        itemId: z.string().min(1),
        version: z.number().int().min(0),
        reasonCode: z.string().min(1),
        note: z.string().max(2000).optional(),
        label: z.enum(BANK_LABELS),
      }),
    )
    .mutation(({ ctx, input }) => removeAndBank(ctx.db, input, ctx.user.id)),
});
