import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { latestWorkerJob, requestWorkerJob, type WorkerJob } from '@ganmod/db/client';
import { access } from '~/lib/roles';
import { protectedProcedure, router } from '../trpc';

const engineerProcedure = protectedProcedure(access.engineering);
const adminProcedure = protectedProcedure(access.admin);

/** A job as the pages show it. */
function view(job: WorkerJob | null) {
  if (!job) return null;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    result: job.result as Record<string, unknown> | null,
    error: job.error,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

/**
 * Work the trainer's worker does for the dashboard (a request only records it, as detector
 * promotions do): exporting a run's newest checkpoint for the playground, and recalibrating the
 * policy from moderator decisions (`feedback`), admins only since it changes what the policy does.
 */
export const workerJobsRouter = router({
  /** Asks the worker to export the run's newest checkpoint (browser-loadable generator). */
  requestExport: engineerProcedure
    .input(z.object({ runId: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const run = await ctx.db.trainingRun.findUnique({
        where: { id: input.runId },
        select: { id: true, _count: { select: { artifacts: { where: { kind: 'CHECKPOINT' } } } } },
      });
      if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such run.' });
      if (run._count.artifacts === 0) {
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'The run has no checkpoint yet: nothing to export.',
        });
      }
      const result = await requestWorkerJob(ctx.db, {
        kind: 'EXPORT_RUN',
        runId: run.id,
        createdById: ctx.user.id,
      });
      return view(result.job);
    }),

  /** The run's newest export job, or null. */
  exportStatus: engineerProcedure
    .input(z.object({ runId: z.string().min(1) }))
    .query(async ({ ctx, input }) =>
      view(await latestWorkerJob(ctx.db, 'EXPORT_RUN', input.runId)),
    ),

  /** Asks the worker to run `feedback`: recalibrate thresholds and retrain spam from decisions. */
  recalibrate: adminProcedure.mutation(async ({ ctx }) => {
    const result = await requestWorkerJob(ctx.db, {
      kind: 'RECALIBRATE',
      createdById: ctx.user.id,
    });
    return view(result.job);
  }),

  /** The newest recalibration job, with its before/after table once done. */
  recalibration: adminProcedure.query(async ({ ctx }) =>
    view(await latestWorkerJob(ctx.db, 'RECALIBRATE')),
  ),
});
