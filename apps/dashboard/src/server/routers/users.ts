import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { isUniqueConstraintError } from '@ganmod/db/client';
import { access, roles } from '~/lib/roles';
import { createPasswordUser } from '../auth/users';
import { protectedProcedure, router } from '../trpc';

const adminProcedure = protectedProcedure(access.admin);
const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  createdAt: true,
} as const;

/** Admin: the people who can sign in, their roles, and whether they may. */
export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) =>
    ctx.db.user.findMany({
      select: userSelect,
      orderBy: [{ disabled: 'asc' }, { createdAt: 'asc' }],
    }),
  ),

  create: adminProcedure
    .input(
      z.object({
        email: z.email('Enter a valid email address'),
        name: z.string().trim().min(1, 'Enter a name').max(100),
        password: z.string().min(8, 'At least 8 characters').max(128),
        role: z.enum(roles),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      try {
        return await createPasswordUser(ctx.db, input);
      } catch (err) {
        if (isUniqueConstraintError(err)) {
          throw new TRPCError({
            code: 'CONFLICT',
            message: `${input.email} already has an account.`,
          });
        }
        throw err;
      }
    }),

  setRole: adminProcedure
    .input(z.object({ userId: z.string().min(1), role: z.enum(roles) }))
    .mutation(async ({ ctx, input }) => {
      if (input.userId === ctx.user.id && input.role !== 'ADMIN') {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'You cannot remove your own admin role.',
        });
      }
      return ctx.db.user.update({
        where: { id: input.userId },
        data: { role: input.role },
        select: userSelect,
      });
    }),

  setDisabled: adminProcedure
    .input(z.object({ userId: z.string().min(1), disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      if (input.userId === ctx.user.id && input.disabled) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'You cannot disable your own account.',
        });
      }
      // Disabling also ends the user's open sessions, so it takes effect at once.
      const [user] = await ctx.db.$transaction([
        ctx.db.user.update({
          where: { id: input.userId },
          data: { disabled: input.disabled },
          select: userSelect,
        }),
        ctx.db.session.deleteMany({ where: { userId: input.disabled ? input.userId : '' } }),
      ]);
      return user;
    }),
});
