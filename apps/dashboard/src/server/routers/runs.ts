import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { cancelRun, createRun, resumeRun, type Db } from '@ganmod/db/client';
import { confineDatasetSpec, DatasetError } from '@ganmod/datasets/root';
import { access } from '~/lib/roles';
import { issuesByPath, trainConfigSchema, type TrainConfig } from '~/lib/train-config';
import { protectedProcedure, router } from '../trpc';

const engineerProcedure = protectedProcedure(access.engineering);
const runStatuses = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
const runId = z.object({ id: z.string().min(1) });

/** Validates a config with the shared schema; a BAD_REQUEST lists every bad field. */
function parseConfig(config: unknown) {
  const parsed = trainConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = issuesByPath(parsed.error);
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Invalid config: ${Object.entries(issues)
        .map(([p, m]) => `${p}: ${m}`)
        .join('; ')}`,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Refuses a dataset path outside the datasets root (GANMOD_DATASETS_DIR) when the run is created,
 * so a run config can never make the trainer read, or describe, other server folders.
 */
async function checkDatasetPath(config: TrainConfig): Promise<void> {
  try {
    await confineDatasetSpec(config.dataset);
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    throw new TRPCError({ code: 'BAD_REQUEST', message: `Invalid config: dataset.${err.message}` });
  }
}

/** Latest value of every metric for each run: one query, first row per (run, name) by step desc. */
async function latestMetrics(db: Db, runIds: string[]) {
  if (runIds.length === 0) return new Map<string, Record<string, number>>();
  const rows = await db.runMetric.findMany({
    where: { runId: { in: runIds } },
    orderBy: [{ runId: 'asc' }, { name: 'asc' }, { step: 'desc' }],
    distinct: ['runId', 'name'],
    select: { runId: true, name: true, value: true },
  });
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.runId, { ...out.get(r.runId), [r.name]: r.value });
  return out;
}

async function findRun(db: Db, id: string) {
  const run = await db.trainingRun.findUnique({ where: { id } });
  if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such run.' });
  return run;
}

/** Engineers: training runs: list, launch, watch, cancel, resume, clone, compare. */
export const runsRouter = router({
  list: engineerProcedure
    .input(
      z.object({
        status: z.enum(runStatuses).optional(),
        limit: z.number().int().min(1).max(200).default(100),
      }),
    )
    .query(async ({ ctx, input }) => {
      const runs = await ctx.db.trainingRun.findMany({
        where: input.status ? { status: input.status } : {},
        orderBy: { createdAt: 'desc' },
        take: input.limit,
        include: { createdBy: { select: { name: true } } },
      });
      const latest = await latestMetrics(
        ctx.db,
        runs.map((r) => r.id),
      );
      return runs.map((r) => ({ ...r, latest: latest.get(r.id) ?? {} }));
    }),

  get: engineerProcedure.input(runId).query(async ({ ctx, input }) => {
    const run = await ctx.db.trainingRun.findUnique({
      where: { id: input.id },
      include: {
        createdBy: { select: { name: true } },
        parentRun: { select: { id: true, name: true } },
        childRuns: {
          select: { id: true, name: true, status: true },
          orderBy: { createdAt: 'asc' },
        },
        artifacts: {
          orderBy: [{ kind: 'asc' }, { step: 'asc' }],
          select: { id: true, kind: true, step: true, bytes: true, createdAt: true },
        },
        logs: { orderBy: { id: 'desc' }, take: 100 },
      },
    });
    if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such run.' });
    return run;
  }),

  /** Metric points after `afterId`, so a live page fetches only what is new. */
  metrics: engineerProcedure
    .input(z.object({ id: z.string().min(1), afterId: z.number().int().min(0).default(0) }))
    .query(async ({ ctx, input }) => {
      const points = await ctx.db.runMetric.findMany({
        where: { runId: input.id, id: { gt: input.afterId } },
        orderBy: { id: 'asc' },
        take: 50_000,
        select: { id: true, step: true, name: true, value: true },
      });
      return points;
    }),

  create: engineerProcedure
    .input(
      z.object({ name: z.string().trim().min(1, 'Name the run').max(120), config: z.unknown() }),
    )
    .mutation(async ({ ctx, input }) => {
      const config = parseConfig(input.config);
      await checkDatasetPath(config);
      return createRun(ctx.db, {
        name: input.name,
        config,
        totalSteps: config.steps,
        createdById: ctx.user.id,
      });
    }),

  /** A queued run is cancelled at once; a running one is asked to stop (the worker honours it). */
  cancel: engineerProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const result = await cancelRun(ctx.db, input.id);
    if (result.outcome === 'NOT_FOUND') {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such run.' });
    }
    if (result.outcome === 'ALREADY_ENDED') {
      throw new TRPCError({
        code: 'CONFLICT',
        message: `The run already ended (${result.status.toLowerCase()}).`,
      });
    }
    return { status: result.outcome };
  }),

  /** Re-queues a failed or cancelled run; the worker continues from its latest checkpoint. */
  resume: engineerProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const result = await resumeRun(ctx.db, input.id);
    if (result.outcome === 'NOT_FOUND') {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such run.' });
    }
    if (result.outcome === 'NOT_RESUMABLE') {
      throw new TRPCError({
        code: 'CONFLICT',
        message: `Only failed or cancelled runs resume (this one is ${result.status.toLowerCase()}).`,
      });
    }
    return { status: 'QUEUED' as const };
  }),

  /** A new queued run with the same (or an edited) config, linked to its parent. */
  clone: engineerProcedure
    .input(
      z.object({
        id: z.string().min(1),
        name: z.string().trim().min(1).max(120).optional(),
        config: z.unknown().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const parent = await findRun(ctx.db, input.id);
      const config = parseConfig(input.config ?? parent.config);
      await checkDatasetPath(config);
      return createRun(ctx.db, {
        name: input.name ?? `${parent.name} (clone)`,
        config,
        totalSteps: config.steps,
        parentRunId: parent.id,
        createdById: ctx.user.id,
      });
    }),

  /** Configs and full curves of several runs, for overlay charts and a config diff. */
  compare: engineerProcedure
    .input(z.object({ ids: z.array(z.string().min(1)).min(2).max(8) }))
    .query(async ({ ctx, input }) => {
      const runs = await ctx.db.trainingRun.findMany({
        where: { id: { in: input.ids } },
        select: {
          id: true,
          name: true,
          status: true,
          step: true,
          totalSteps: true,
          config: true,
          createdAt: true,
        },
      });
      const points = await ctx.db.runMetric.findMany({
        where: { runId: { in: input.ids } },
        orderBy: [{ step: 'asc' }],
        select: { runId: true, step: true, name: true, value: true },
      });
      return { runs, points };
    }),

  /** Detector models promoted from runs (read-only here; promotion is a trainer/moderation concern). */
  models: engineerProcedure.query(({ ctx }) =>
    ctx.db.detectorModel.findMany({
      orderBy: { createdAt: 'desc' },
      include: {
        sourceRun: { select: { id: true, name: true } },
        createdBy: { select: { name: true } },
      },
    }),
  ),
});
