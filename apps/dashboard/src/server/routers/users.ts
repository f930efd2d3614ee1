import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  generatePassword,
  isUniqueConstraintError,
  passwordProblem,
  userSummarySelect,
} from '@ganmod/db/client';
import { access, roles } from '~/lib/roles';
import { clearPasswordAttempts } from '../auth/password-attempts';
import { createPasswordUser, setPassword } from '../auth/users';
import { fieldError } from '../field-error';
import { protectedProcedure, router } from '../trpc';

const adminProcedure = protectedProcedure(access.admin);
// Length and strength are the policy's (passwordProblem); this only bounds the request.
const passwordInput = z.string().max(1024, 'Passwords are at most 128 characters');
const displayName = z
  .string()
  .trim()
  .min(1, 'Enter a name')
  .max(100, 'Names are at most 100 characters');
// What an admin sees of a user: the accounts module's own summary.
const userSelect = userSummarySelect;

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
      z
        .object({
          email: z.email('Enter a valid email address'),
          name: displayName,
          password: passwordInput,
          role: z.enum(roles),
        })
        // The project's password policy (packages/db users.ts), its message on the field.
        .superRefine((v, ctx) => {
          const problem = passwordProblem(v.password, v.email);
          if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
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

  /** Sets a user's display name (people cannot rename themselves). */
  rename: adminProcedure
    .input(z.object({ userId: z.string().min(1), name: displayName }))
    .mutation(async ({ ctx, input }) => {
      const { count } = await ctx.db.user.updateMany({
        where: { id: input.userId },
        data: { name: input.name },
      });
      if (count === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such user.' });
      return ctx.db.user.findUniqueOrThrow({ where: { id: input.userId }, select: userSelect });
    }),

  /**
   * Gives another user a new password (typed by the admin, or generated when `password` is left
   * out) and ends all their sessions. A generated password is returned this once, never stored
   * in clear. Admins change their own password on the Account page, which checks the current one.
   */
  resetPassword: adminProcedure
    .input(
      z.object({
        userId: z.string().min(1),
        password: passwordInput.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.userId === ctx.user.id) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'Change your own password on the Account page.',
        });
      }
      const user = await ctx.db.user.findUnique({
        where: { id: input.userId },
        select: { id: true, email: true, name: true },
      });
      if (!user) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such user.' });
      const typed = input.password ? input.password : null;
      const password = typed ?? generatePassword();
      const problem = passwordProblem(password, user.email);
      if (problem) throw fieldError('password', problem);
      const { revokedSessions } = await setPassword(ctx.db, user.id, password);
      await clearPasswordAttempts(ctx.db, user.id);
      return {
        email: user.email,
        name: user.name,
        revokedSessions,
        generatedPassword: typed ? null : password,
      };
    }),
});
