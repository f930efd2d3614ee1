import { publicProcedure, router } from '../trpc';

/** Liveness and a summary of what the database holds; used by the home page and health checks. */
export const systemRouter = router({
  status: publicProcedure.query(async ({ ctx }) => {
    const [runs, queued, running, inReview, decisions] = await Promise.all([
      ctx.db.trainingRun.count(),
      ctx.db.trainingRun.count({ where: { status: 'QUEUED' } }),
      ctx.db.trainingRun.count({ where: { status: 'RUNNING' } }),
      ctx.db.contentItem.count({ where: { status: 'IN_REVIEW' } }),
      ctx.db.decision.count(),
    ]);
    return { ok: true as const, runs, queued, running, inReview, decisions };
  }),
});
