/**
 * Trains one claimed run: loads its config and dataset, resumes from its last checkpoint, and
 * records metrics, sample grids, checkpoints and the exported generator in the database and the
 * artifact store. Every way a run can end lands in the database: SUCCEEDED, CANCELLED, FAILED with
 * the reason, or back to QUEUED when the worker shuts down.
 */
import { statSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { confineDatasetSpec, loadDataset } from '@ganmod/datasets';
import {
  ConfigError,
  checkpointDirName,
  latestCheckpoint,
  listCheckpoints,
  parseTrainConfig,
  stepOfDirName,
  train,
  trainingDataFromDataset,
  type StepEvent,
  type TrainConfig,
  type TrainResult,
} from '@ganmod/gan-core';
import type { Logger } from 'pino';
import type { ArtifactStore } from './artifacts.js';
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

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

function stepOfCheckpoint(dir: string): number {
  return stepOfDirName(basename(dir)) ?? 0;
}

/** Trains `run` to the end (or until stopped) and records the outcome. Never throws for run failures. */
export async function executeRun(options: ExecuteOptions): Promise<ExecuteResult> {
  const { db, store, run, workerId, log } = options;
  const runLog = log.child({ runId: run.id });
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const flushMs = options.flushMs ?? 2000;
  let step = run.step;

  const finish = async (outcome: RunOutcome): Promise<ExecuteResult> => {
    const held = await releaseRun(db, run.id, workerId, outcome);
    if (!held) {
      runLog.warn({ step: outcome.step }, 'lost the claim before recording the outcome');
      return { status: 'LOST', step: outcome.step };
    }
    runLog.info(
      {
        status: outcome.status,
        step: outcome.step,
        error: 'error' in outcome ? outcome.error : undefined,
      },
      'run ended',
    );
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
  };

  let config: TrainConfig;
  try {
    config = parseTrainConfig(run.config);
  } catch (err) {
    const message =
      err instanceof ConfigError
        ? err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')
        : String(err);
    return finish({ status: 'FAILED', step, error: `invalid config: ${message}` });
  }
  // The dashboard and the train command refuse dataset paths outside the datasets root already;
  // checked again here, right before anything is read, for configs stored by other means.
  try {
    config = { ...config, dataset: await confineDatasetSpec(config.dataset) };
  } catch (err) {
    return finish({
      status: 'FAILED',
      step,
      error: err instanceof Error ? err.message : String(err),
    });
  }

  const runDir = `runs/${run.id}`;
  const checkpointDir = store.resolve(`${runDir}/checkpoints`);
  const metrics = new MetricWriter(db, run.id);
  const stop = new AbortController();
  let stopReason: StopReason | null = null;
  const requestStop = (reason: StopReason) => {
    stopReason ??= reason;
    stop.abort();
  };
  const onShutdown = () => requestStop('shutdown');
  options.shutdown.addEventListener('abort', onShutdown);
  if (options.shutdown.aborted) onShutdown();

  try {
    const resumeFrom = await latestCheckpoint(checkpointDir);
    const resumeStep = resumeFrom === null ? 0 : stepOfCheckpoint(resumeFrom);
    const dropped = await truncateMetricsAfter(db, run.id, resumeStep);
    if (resumeFrom !== null) {
      runLog.info(
        { checkpoint: resumeFrom, step: resumeStep, droppedMetrics: dropped },
        'resuming',
      );
      await db.runLog.create({
        data: {
          runId: run.id,
          message: `resumed from checkpoint at step ${resumeStep} (attempt ${run.attempt})`,
        },
      });
    }
    step = resumeStep;
    const { dataset, report } = await loadDataset(config.dataset);
    if (report.skipped.length > 0) {
      runLog.warn(
        { skipped: report.skipped.length, examples: report.skipped.slice(0, 5) },
        'dataset files skipped',
      );
      await db.runLog.create({
        data: {
          runId: run.id,
          level: 'WARN',
          message: `dataset: loaded ${report.loaded}, skipped ${report.skipped.length} files (e.g. ${report.skipped
            .slice(0, 3)
            .map((s) => `${s.path}: ${s.reason}`)
            .join('; ')})`,
        },
      });
    }
    const images = trainingDataFromDataset(dataset, config.seed);
    const evaluator = config.evalEvery > 0 ? createEvaluator(config, dataset, runLog) : null;

    let lastBeat = 0;
    let lastFlush = Date.now();
    const result: TrainResult = await train(config, {
      dataset: images,
      signal: stop.signal,
      checkpointDir,
      ...(resumeFrom === null ? {} : { resumeFrom }),
      logger: {
        info: (message, data) => runLog.info(data ?? {}, message),
        warn: (message, data) => runLog.warn(data ?? {}, message),
      },
      callbacks: {
        onStep: async (event) => {
          step = event.step;
          metrics.add(event.step, { ...event.losses, steps_per_sec: event.stepsPerSec });
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
            const beat = await heartbeatRun(db, run.id, workerId, event.step);
            if (!beat.held) requestStop('lost');
            else if (beat.cancelRequested) requestStop('cancel');
          } else {
            // A cancel is noticed within one step even between heartbeats.
            const row = await db.trainingRun.findUnique({
              where: { id: run.id },
              select: { cancelRequested: true },
            });
            if (row?.cancelRequested) requestStop('cancel');
          }
        },
        onSamples: async ({ step: s, png }) => {
          const path = await store.write(
            `${runDir}/samples/step-${String(s).padStart(9, '0')}.png`,
            png,
          );
          await upsertArtifact(db, run.id, 'SAMPLE_GRID', s, path, png.byteLength);
        },
        onCheckpoint: async ({ step: s, dir }) => {
          // Metrics up to the checkpoint must be stored before it counts: a resume restarts after it.
          await metrics.flush();
          await upsertArtifact(
            db,
            run.id,
            'CHECKPOINT',
            s,
            store.relativize(dir),
            directoryBytes(dir),
          );
          // gan-core keeps the newest `checkpointKeep` checkpoints and has deleted the older ones'
          // files: their rows go too, so the lists (CLI, dashboard) hold only loadable checkpoints.
          const kept = (await listCheckpoints(dirname(dir))).map((c) => c.step);
          await db.artifact.deleteMany({
            where: { runId: run.id, kind: 'CHECKPOINT', step: { notIn: kept } },
          });
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
    step = result.step;

    if (result.status === 'diverged')
      return finish({
        status: 'FAILED',
        step,
        error: `diverged: ${result.reason ?? 'unknown reason'}`,
      });
    if (result.status === 'cancelled') {
      if (stopReason === 'lost') return { status: 'LOST', step };
      if (stopReason === 'shutdown')
        return finish({ status: options.shutdownStatus ?? 'QUEUED', step });
      return finish({ status: 'CANCELLED', step });
    }
    if (result.checkpoint !== undefined) {
      const exportRel = `${runDir}/export/${checkpointDirName(step)}`;
      await exportCheckpointGenerator(result.checkpoint, store.resolve(exportRel), {
        runId: run.id,
        step,
        model: config.model,
      });
      await upsertArtifact(
        db,
        run.id,
        'EXPORT',
        step,
        exportRel,
        directoryBytes(store.resolve(exportRel)),
      );
    }
    return finish({ status: 'SUCCEEDED', step });
  } catch (err) {
    await metrics.flush().catch(() => undefined);
    const message = err instanceof Error ? err.message : String(err);
    runLog.error({ err }, 'run failed');
    return finish({ status: 'FAILED', step, error: message });
  } finally {
    options.shutdown.removeEventListener('abort', onShutdown);
  }
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
