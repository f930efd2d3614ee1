import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { access } from '~/lib/roles';
import { generateApiKey } from '@ganmod/db/client';
import { protectedProcedure, router } from '../trpc';

const adminProcedure = protectedProcedure(access.admin);

/** Admin: keys platforms use to call the submission API. The secret is returned once, at creation. */
export const apiKeysRouter = router({
  list: adminProcedure.query(async ({ ctx }) => {
    const keys = await ctx.db.apiKey.findMany({
      orderBy: [{ revokedAt: 'asc' }, { createdAt: 'desc' }],
      include: {
        createdBy: { select: { name: true } },
        _count: { select: { submittedItems: true } },
      },
    });
    return keys.map(({ hash: _hash, ...key }) => key);
  }),

  create: adminProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, 'Name the platform or integration').max(100),
        rateLimitPerMinute: z
          .number()
          .int()
          .min(1, 'At least 1')
          .max(100_000, 'At most 100000')
          .default(60),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { secret, prefix, hash } = generateApiKey();
      const key = await ctx.db.apiKey.create({
        data: {
          name: input.name,
          rateLimitPerMinute: input.rateLimitPerMinute,
          prefix,
          hash,
          createdById: ctx.user.id,
        },
        select: { id: true, name: true, prefix: true, rateLimitPerMinute: true, createdAt: true },
      });
      return { ...key, secret };
    }),

  revoke: adminProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const { count } = await ctx.db.apiKey.updateMany({
        where: { id: input.id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      if (count === 0)
        throw new TRPCError({ code: 'NOT_FOUND', message: 'No active key with that id.' });
      return { ok: true as const };
    }),
});
