/**
 * Trains one claimed run: loads its config and dataset, resumes from its last checkpoint, and
 * records metrics, sample grids, checkpoints and the exported generator in the database and the
 * artifact store. Every way a run can end lands in the database: SUCCEEDED, CANCELLED, FAILED with
 * the reason, or back to QUEUED when the worker shuts down.
 *
 * `executeRun` reads as the run's lifecycle: prepare the config → restore the checkpoint → load
 * the dataset → train with heartbeats → finish (export, release). The database side of claiming,
 * heart-beating and releasing lives in `@ganmod/db` (packages/db/src/runs.ts).
 */
import { statSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { confineDatasetSpec, loadDataset, type Dataset } from '@ganmod/datasets';
import {
  ConfigError,
  checkpointDirName,
  latestCheckpoint,
  listCheckpoints,
  parseTrainConfig,
  stepOfDirName,
  trainValidated,
  trainingDataFromDataset,
  type StepEvent,
  type TrainConfig,
  type TrainingData,
  type TrainResult,
} from '@ganmod/gan-core';
import type { Logger } from 'pino';
import type { ArtifactStore } from '../artifacts.js';
import { createEvaluator } from './evaluation.js';
import { exportCheckpointGenerator } from './generator-export.js';
import { MetricWriter, truncateMetricsAfter } from './metric-writer.js';
import { heartbeatRun, releaseRun, type ClaimedRun, type Db, type RunOutcome } from '@ganmod/db';

/** Why a run stopped before its last step. */
export type StopReason = 'cancel' | 'shutdown' | 'lost';

export interface ExecuteOptions {
  db: Db;
  store: ArtifactStore;
  run: ClaimedRun;
  /**
   * The run's config, when the caller has just validated it (the `train` command); otherwise the
   * stored `run.config` is parsed here, the worker's trust boundary.
   */
  config?: TrainConfig;
  workerId: string;
  log: Logger;
  /** Aborted when the worker is asked to stop: the run checkpoints and goes back to the queue. */
  shutdown: AbortSignal;
  /** Minimum time between heartbeats (ms). */
  heartbeatMs?: number;
  /** Minimum time between metric flushes (ms). */
  flushMs?: number;
  /** What a shutdown leaves the run as: back in the queue (workers) or cancelled (the foreground CLI). */
  shutdownStatus?: 'QUEUED' | 'CANCELLED';
  /** Called after every step (the CLI draws its progress bar from it). */
  onStep?: (event: StepEvent, config: TrainConfig) => void;
}

/** What happened to the run, as recorded in the database. */
export type ExecuteResult = RunOutcome | { status: 'LOST'; step: number };

/** One run in progress: what every lifecycle step needs, and the step reached so far. */
interface RunContext {
  options: ExecuteOptions;
  db: Db;
  store: ArtifactStore;
  run: ClaimedRun;
  runLog: Logger;
  /** Artifact-store folder of the run (`runs/<id>`). */
  runDir: string;
  /** The last step the run reached: where a failure or a stop is recorded. */
  step: number;
}

/** Stops training on a cancel, a lost claim or a worker shutdown; remembers which came first. */
interface StopControl {
  signal: AbortSignal;
  reason(): StopReason | null;
  request(reason: StopReason): void;
  dispose(): void;
}

/** Trains `run` to the end (or until stopped) and records the outcome. Never throws for run failures. */
export async function executeRun(options: ExecuteOptions): Promise<ExecuteResult> {
  const ctx: RunContext = {
    options,
    db: options.db,
    store: options.store,
    run: options.run,
    runLog: options.log.child({ runId: options.run.id }),
    runDir: `runs/${options.run.id}`,
    step: options.run.step,
  };
  const prepared = await prepareConfig(ctx);
  if ('failure' in prepared) return finishRun(ctx, prepared.failure);
  const { config } = prepared;
  const stop = watchForStop(options.shutdown);
  const metrics = new MetricWriter(ctx.db, ctx.run.id);
  try {
    const resumeFrom = await restoreCheckpoint(ctx);
    const data = await loadRunDataset(ctx, config);
    const result = await trainWithHeartbeats(ctx, config, data, resumeFrom, metrics, stop);
    return await endTraining(ctx, config, data, result, stop.reason());
  } catch (err) {
    await metrics.flush().catch(() => undefined);
    ctx.runLog.error({ err }, 'run failed');
    const error = err instanceof Error ? err.message : String(err);
    return finishRun(ctx, { status: 'FAILED', step: ctx.step, error });
  } finally {
    stop.dispose();
  }
}

/**
 * The config the run trains with: the stored one parsed (unless the caller passed it validated),
 * its dataset path confined to the datasets root. The dashboard and the train command refuse
 * paths outside the root already; checked again here, right before anything is read, for configs
 * stored by other means.
 */
async function prepareConfig(
  ctx: RunContext,
): Promise<{ config: TrainConfig } | { failure: RunOutcome }> {
  let config: TrainConfig;
  try {
    config = ctx.options.config ?? parseTrainConfig(ctx.run.config);
  } catch (err) {
    const message =
      err instanceof ConfigError
        ? err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')
        : String(err);
    return { failure: { status: 'FAILED', step: ctx.step, error: `invalid config: ${message}` } };
  }
  try {
    return { config: { ...config, dataset: await confineDatasetSpec(config.dataset) } };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { failure: { status: 'FAILED', step: ctx.step, error } };
  }
}

/** An abort controller fed by the worker's shutdown signal and by the run's own stop requests. */
function watchForStop(shutdown: AbortSignal): StopControl {
  const controller = new AbortController();
  let reason: StopReason | null = null;
  const request = (why: StopReason) => {
    reason ??= why;
    controller.abort();
  };
  const onShutdown = () => request('shutdown');
  shutdown.addEventListener('abort', onShutdown);
  if (shutdown.aborted) onShutdown();
  return {
    signal: controller.signal,
    reason: () => reason,
    request,
    dispose: () => shutdown.removeEventListener('abort', onShutdown),
  };
}

/**
 * Finds the run's newest checkpoint and drops the metrics recorded after it (they are recorded
 * again as training repeats those steps). Returns the checkpoint folder, or null to start afresh.
 */
async function restoreCheckpoint(ctx: RunContext): Promise<string | null> {
  const { db, run, runLog } = ctx;
  const resumeFrom = await latestCheckpoint(ctx.store.resolve(`${ctx.runDir}/checkpoints`));
  const resumeStep = resumeFrom === null ? 0 : (stepOfDirName(basename(resumeFrom)) ?? 0);
  const dropped = await truncateMetricsAfter(db, run.id, resumeStep);
  if (resumeFrom !== null) {
    runLog.info({ checkpoint: resumeFrom, step: resumeStep, droppedMetrics: dropped }, 'resuming');
    await db.runLog.create({
      data: {
        runId: run.id,
        message: `resumed from checkpoint at step ${resumeStep} (attempt ${run.attempt})`,
      },
    });
  }
  ctx.step = resumeStep;
  return resumeFrom;
}

/** The training batches of a run and, when it evaluates, its evaluator. */
interface RunData {
  images: TrainingData;
  /** What the metric classifier of the run's dataset is cached under (for the export). */
  dataset: Pick<Dataset, 'name' | 'shape' | 'classNames'>;
  evaluator: ReturnType<typeof createEvaluator> | null;
}

/** Loads the run's dataset; skipped files are logged and noted in the run's log. */
async function loadRunDataset(ctx: RunContext, config: TrainConfig): Promise<RunData> {
  const { dataset, report } = await loadDataset(config.dataset);
  if (report.skipped.length > 0) {
    ctx.runLog.warn(
      { skipped: report.skipped.length, examples: report.skipped.slice(0, 5) },
      'dataset files skipped',
    );
    const examples = report.skipped
      .slice(0, 3)
      .map((s) => `${s.path}: ${s.reason}`)
      .join('; ');
    await ctx.db.runLog.create({
      data: {
        runId: ctx.run.id,
        level: 'WARN',
        message: `dataset: loaded ${report.loaded}, skipped ${report.skipped.length} files (e.g. ${examples})`,
      },
    });
  }
  return {
    images: trainingDataFromDataset(dataset, config.seed),
    dataset: { name: dataset.name, shape: dataset.shape, classNames: dataset.classNames },
    evaluator: config.evalEvery > 0 ? createEvaluator(config, dataset, ctx.runLog) : null,
  };
}

/**
 * gan-core's training loop with the run's bookkeeping on its callbacks: metrics and heartbeats
 * every step, sample grids, checkpoints and evaluations.
 */
async function trainWithHeartbeats(
  ctx: RunContext,
  config: TrainConfig,
  data: RunData,
  resumeFrom: string | null,
  metrics: MetricWriter,
  stop: StopControl,
): Promise<TrainResult> {
  const { db, store, run, runLog, runDir } = ctx;
  const { evaluator } = data;
  // Parsed once, in prepareConfig: gan-core's `train()` would validate it again.
  const result = await trainValidated(config, {
    dataset: data.images,
    signal: stop.signal,
    checkpointDir: store.resolve(`${runDir}/checkpoints`),
    ...(resumeFrom === null ? {} : { resumeFrom }),
    logger: {
      info: (message, fields) => runLog.info(fields ?? {}, message),
      warn: (message, fields) => runLog.warn(fields ?? {}, message),
    },
    callbacks: {
      onStep: stepRecorder(ctx, config, metrics, stop),
      onSamples: async ({ step, png }) => {
        const name = `${runDir}/samples/step-${String(step).padStart(9, '0')}.png`;
        const path = await store.write(name, png);
        await upsertArtifact(db, run.id, 'SAMPLE_GRID', step, path, png.byteLength);
      },
      onCheckpoint: async ({ step, dir }) => {
        // Metrics up to the checkpoint must be stored before it counts: a resume restarts after it.
        await metrics.flush();
        await recordCheckpoint(ctx, step, dir);
      },
      ...(evaluator === null
        ? {}
        : {
            onEval: async (context) => {
              const values = await evaluator(context);
              metrics.add(context.step, values);
              await metrics.flush();
              return values;
            },
          }),
    },
  });
  await metrics.flush();
  ctx.step = result.step;
  return result;
}

/**
 * The per-step callback: records the losses (flushed at least every `flushMs`), heart-beats the
 * claim every `heartbeatMs` and stops the run when the claim is lost or a cancel was requested.
 */
function stepRecorder(
  ctx: RunContext,
  config: TrainConfig,
  metrics: MetricWriter,
  stop: StopControl,
): (event: StepEvent) => Promise<void> {
  const { db, run, options } = ctx;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const flushMs = options.flushMs ?? 2000;
  let lastBeat = 0;
  let lastFlush = Date.now();
  return async (event) => {
    ctx.step = event.step;
    metrics.add(event.step, {
      ...event.losses,
      steps_per_sec: event.stepsPerSec,
      // Private runs: ε spent so far at the run's δ (privacy.delta), the run page's privacy curve.
      ...(event.privacy === undefined ? {} : { epsilon: event.privacy.epsilon }),
    });
    options.onStep?.(event, config);
    const now = Date.now();
    if (now - lastFlush >= flushMs) {
      lastFlush = now;
      await metrics.flush();
    } else {
      await metrics.maybeFlush();
    }
    if (now - lastBeat >= heartbeatMs) {
      lastBeat = now;
      const beat = await heartbeatRun(db, run.id, options.workerId, event.step);
      if (!beat.held) stop.request('lost');
      else if (beat.cancelRequested) stop.request('cancel');
    } else if (await cancelRequested(db, run.id)) {
      // A cancel is noticed within one step even between heartbeats.
      stop.request('cancel');
    }
  };
}

async function cancelRequested(db: Db, runId: string): Promise<boolean> {
  const row = await db.trainingRun.findUnique({
    where: { id: runId },
    select: { cancelRequested: true },
  });
  return row?.cancelRequested === true;
}

/**
 * Records a new checkpoint. gan-core keeps the newest `checkpointKeep` checkpoints and has deleted
 * the older ones' files: their rows go too, so the lists (CLI, dashboard) hold only loadable ones.
 */
async function recordCheckpoint(ctx: RunContext, step: number, dir: string): Promise<void> {
  const { db, run } = ctx;
  const path = ctx.store.relativize(dir);
  await upsertArtifact(db, run.id, 'CHECKPOINT', step, path, directoryBytes(dir));
  const kept = (await listCheckpoints(dirname(dir))).map((c) => c.step);
  await db.artifact.deleteMany({
    where: { runId: run.id, kind: 'CHECKPOINT', step: { notIn: kept } },
  });
}

/** Turns the training result into the run's outcome; a completed run's generator is exported. */
async function endTraining(
  ctx: RunContext,
  config: TrainConfig,
  data: RunData,
  result: TrainResult,
  stopReason: StopReason | null,
): Promise<ExecuteResult> {
  const { step, options } = ctx;
  if (result.status === 'diverged') {
    const error = `diverged: ${result.reason ?? 'unknown reason'}`;
    return finishRun(ctx, { status: 'FAILED', step, error });
  }
  if (result.status === 'cancelled') {
    if (stopReason === 'lost') return { status: 'LOST', step };
    if (stopReason === 'shutdown')
      return finishRun(ctx, { status: options.shutdownStatus ?? 'QUEUED', step });
    return finishRun(ctx, { status: 'CANCELLED', step });
  }
  if (result.reason !== undefined)
    // A completed run that says why it ended early: a private run at its ε budget.
    await ctx.db.runLog.create({
      data: { runId: ctx.run.id, level: 'INFO', message: result.reason },
    });
  if (result.checkpoint !== undefined)
    await exportGenerator(ctx, config, result.checkpoint, data.dataset);
  return finishRun(ctx, { status: 'SUCCEEDED', step });
}

/** Exports the final checkpoint's generator (browser-loadable) as the run's EXPORT artifact. */
async function exportGenerator(
  ctx: RunContext,
  config: TrainConfig,
  checkpoint: string,
  dataset: RunData['dataset'],
): Promise<void> {
  const { db, store, run, step } = ctx;
  const exportRel = `${ctx.runDir}/export/${checkpointDirName(step)}`;
  const dir = store.resolve(exportRel);
  await exportCheckpointGenerator(
    checkpoint,
    dir,
    { runId: run.id, step, model: config.model },
    dataset,
  );
  await upsertArtifact(db, run.id, 'EXPORT', step, exportRel, directoryBytes(dir));
}

/**
 * Releases the run with its outcome and notes it in the run's log; LOST when another worker took
 * the claim over meanwhile (nothing is written then).
 */
async function finishRun(ctx: RunContext, outcome: RunOutcome): Promise<ExecuteResult> {
  const { db, run, runLog } = ctx;
  const held = await releaseRun(db, run.id, ctx.options.workerId, outcome);
  if (!held) {
    runLog.warn({ step: outcome.step }, 'lost the claim before recording the outcome');
    return { status: 'LOST', step: outcome.step };
  }
  const error = 'error' in outcome ? outcome.error : undefined;
  runLog.info({ status: outcome.status, step: outcome.step, error }, 'run ended');
  await db.runLog.create({
    data: {
      runId: run.id,
      level: outcome.status === 'FAILED' ? 'ERROR' : 'INFO',
      message:
        outcome.status === 'FAILED'
          ? `failed at step ${outcome.step}: ${outcome.error}`
          : `${outcome.status.toLowerCase()} at step ${outcome.step}`,
    },
  });
  return outcome;
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

async function upsertArtifact(
  db: Db,
  runId: string,
  kind: 'SAMPLE_GRID' | 'CHECKPOINT' | 'EXPORT' | 'EVAL',
  step: number,
  path: string,
  bytes: number,
): Promise<void> {
  await db.artifact.upsert({
    where: { runId_kind_step: { runId, kind, step } },
    create: { runId, kind, step, path, bytes },
    update: { path, bytes },
  });
}
