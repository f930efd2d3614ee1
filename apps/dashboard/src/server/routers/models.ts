import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { activateDetectorModel, requestDetectorPromotion } from '@ganmod/db/client';
import { access } from '~/lib/roles';
import { artifactsDir } from '../env';
import { resolveInside } from '../files';
import { protectedProcedure, router } from '../trpc';

const engineerProcedure = protectedProcedure(access.engineering);

/**
 * Checkpoint steps whose files are still on disk, newest first. gan-core keeps only the newest
 * checkpoints of a run, so older CHECKPOINT rows can outlive their files.
 */
async function stepsOnDisk(artifacts: readonly { step: number; path: string }[]) {
  const root = artifactsDir();
  const kept = await Promise.all(
    artifacts.map(async (a) => ((await resolveInside(root, a.path)) === null ? null : a.step)),
  );
  return kept.filter((s): s is number => s !== null);
}

/**
 * Detector models and moderation policy versions. Promotion only records a request: the trainer
 * worker trains the detector against the checkpoint, evaluates it and activates it (minutes of
 * CPU, so never inside a web request).
 */
export const modelsRouter = router({
  /** Every detector model, newest first, with its request status and evaluation. */
  list: engineerProcedure.query(({ ctx }) =>
    ctx.db.detectorModel.findMany({
      orderBy: { createdAt: 'desc' },
      take: 200,
      include: {
        sourceRun: { select: { id: true, name: true } },
        createdBy: { select: { name: true } },
      },
    }),
  ),

  /** SUCCEEDED runs and their checkpoint steps (newest first): what can be promoted. */
  candidates: engineerProcedure.query(async ({ ctx }) => {
    const runs = await ctx.db.trainingRun.findMany({
      where: { status: 'SUCCEEDED', artifacts: { some: { kind: 'CHECKPOINT' } } },
      orderBy: { finishedAt: 'desc' },
      take: 100,
      select: {
        id: true,
        name: true,
        finishedAt: true,
        artifacts: {
          where: { kind: 'CHECKPOINT' },
          orderBy: { step: 'desc' },
          select: { step: true, path: true },
        },
      },
    });
    const withSteps = await Promise.all(
      runs.map(async (r) => ({
        id: r.id,
        name: r.name,
        finishedAt: r.finishedAt,
        steps: await stepsOnDisk(r.artifacts),
      })),
    );
    return withSteps.filter((r) => r.steps.length > 0);
  }),

  /** Asks the worker to train a synthetic-image detector against a run's checkpoint. */
  promote: engineerProcedure
    .input(
      z.object({
        runId: z.string().min(1),
        step: z.number().int().min(0).optional(),
        /** Detector training steps (default 600 in the worker). */
        trainSteps: z.number().int().min(1).max(5000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const checkpoints = await ctx.db.artifact.findMany({
        where: { runId: input.runId, kind: 'CHECKPOINT' },
        orderBy: { step: 'desc' },
        select: { step: true, path: true },
      });
      const onDisk = await stepsOnDisk(checkpoints);
      const recorded = checkpoints.some((c) => c.step === input.step);
      if (input.step !== undefined && recorded && !onDisk.includes(input.step))
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `The files of checkpoint ${input.step} are gone (only the newest are kept); available: ${onDisk.join(', ') || 'none'}.`,
        });
      const step = input.step ?? onDisk[0];
      const result = await requestDetectorPromotion(ctx.db, {
        runId: input.runId,
        ...(step === undefined ? {} : { step }),
        createdById: ctx.user.id,
        config: input.trainSteps === undefined ? {} : { steps: input.trainSteps },
      });
      switch (result.outcome) {
        case 'RUN_NOT_FOUND':
          throw new TRPCError({ code: 'NOT_FOUND', message: `No run with id ${input.runId}.` });
        case 'RUN_NOT_SUCCEEDED':
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: `The run is ${result.status}; only succeeded runs can be promoted.`,
          });
        case 'NO_CHECKPOINT':
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message:
              result.steps.length === 0
                ? 'The run has no checkpoint.'
                : `No checkpoint at step ${input.step}; the run has ${result.steps.join(', ')}.`,
          });
        default:
          return { outcome: result.outcome, id: result.model.id };
      }
    }),

  /** Makes a READY model the active one of its kind again (e.g. roll back a promotion). */
  activate: engineerProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await activateDetectorModel(ctx.db, input.id)))
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'Only a READY detector model can be activated.',
        });
      return { id: input.id };
    }),

  /** Moderation policy versions (e.g. from `ganmod-trainer feedback`), newest first. */
  policies: engineerProcedure.query(({ ctx }) =>
    ctx.db.moderationPolicy.findMany({ orderBy: { createdAt: 'desc' }, take: 50 }),
  ),
});
