import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { passwordProblem } from '@ganmod/db/client';
import { access } from '~/lib/roles';
import { checkPasswordThrottled } from '../auth/password-attempts';
import { setPassword } from '../auth/users';
import { fieldError } from '../field-error';
import { protectedProcedure, router } from '../trpc';

const signedIn = protectedProcedure(access.anyone);

/** Every signed-in user: their own account. (Display names are set by admins, in `users`.) */
export const accountRouter = router({
  /**
   * Changes the caller's password: the current one must be right (wrong ones are throttled),
   * the new one must pass the password policy, and every other session of theirs ends.
   */
  changePassword: signedIn
    .input(
      z
        .object({
          currentPassword: z
            .string()
            .min(1, 'Enter your current password')
            .max(1024, 'That is not your current password'),
          newPassword: z.string().max(1024, 'Passwords are at most 128 characters'),
          confirmPassword: z.string(),
        })
        .refine((v) => v.confirmPassword === v.newPassword, {
          path: ['confirmPassword'],
          message: 'The two new passwords differ',
        }),
    )
    .mutation(async ({ ctx, input }) => {
      // The policy first: a weak choice should not cost one of the five attempts.
      const problem = passwordProblem(input.newPassword, ctx.user.email);
      if (problem) throw fieldError('newPassword', problem);
      const check = await checkPasswordThrottled(ctx.db, ctx.user.id, input.currentPassword);
      if (check.result === 'throttled') {
        const minutes = Math.ceil(check.retryAfterSeconds / 60);
        throw new TRPCError({
          code: 'TOO_MANY_REQUESTS',
          message: `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        });
      }
      if (check.result === 'wrong') {
        throw fieldError('currentPassword', 'That is not your current password');
      }
      if (input.newPassword === input.currentPassword) {
        throw fieldError('newPassword', 'The new password must differ from the current one');
      }
      const keepSessionId = ctx.user.sessionId;
      const { revokedSessions } = await setPassword(ctx.db, ctx.user.id, input.newPassword, {
        ...(keepSessionId ? { keepSessionId } : {}),
      });
      return { revokedSessions, signedOut: !keepSessionId };
    }),
});
