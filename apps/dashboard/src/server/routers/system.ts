import { access } from '~/lib/roles';
import { protectedProcedure, router } from '../trpc';

/** A summary of what the database holds, for the home page of any signed-in user. */
export const systemRouter = router({
  status: protectedProcedure(access.anyone).query(async ({ ctx }) => {
    const [runs, queued, running, inReview, decisions] = await Promise.all([
      ctx.db.trainingRun.count(),
      ctx.db.trainingRun.count({ where: { status: 'QUEUED' } }),
      ctx.db.trainingRun.count({ where: { status: 'RUNNING' } }),
      ctx.db.contentItem.count({ where: { status: { in: ['IN_REVIEW', 'PENDING'] } } }),
      ctx.db.decision.count(),
    ]);
    return { ok: true as const, runs, queued, running, inReview, decisions };
  }),

  // Who the caller is; the session id stays on the server.
  me: protectedProcedure(access.anyone).query(({ ctx: { user } }) => ({
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
  })),
});
