/**
 * The worker loop: re-queue runs whose worker died, train a pending detector promotion if there is
 * one, else claim the oldest queued run and train it, repeat.
 * SIGINT/SIGTERM: the current run finishes its step, checkpoints and goes back to the queue; a
 * second signal exits at once.
 */
import { hostname } from 'node:os';
import type { Db } from '@ganmod/db';
import type { Logger } from 'pino';
import type { ArtifactStore } from './artifacts.js';
import type { ContentScorer } from './scoring/content-scorer.js';
import {
  requeueStaleDetectorTraining,
  trainNextDetectorRequest,
} from './detectors/detector-training.js';
import { runNextWorkerJob } from './jobs/worker-jobs.js';
import type { ExecuteResult } from './training/executor.js';
import { requeueStaleTrainingRuns, trainNextRun } from './training/run-queue.js';
import { deliverWebhooks, type DeliveryOptions } from './webhooks/delivery-loop.js';
import { sleep } from './sleep.js';

export interface WorkerOptions {
  db: Db;
  store: ArtifactStore;
  log: Logger;
  /** Stops the loop; the run in progress checkpoints and is re-queued. */
  signal: AbortSignal;
  /** How often to look for work when the queue is empty (ms). */
  pollMs?: number;
  /** A RUNNING run whose heartbeat is older than this is re-queued (ms). */
  staleAfterMs?: number;
  /** Exit when the queue is empty. */
  once?: boolean;
  workerId?: string;
  heartbeatMs?: number;
  /** Also score submitted content (PENDING items) alongside training. */
  scorer?: ContentScorer;
  /** Also deliver webhooks from the outbox (settings beyond the worker's own). */
  webhooks?: Omit<DeliveryOptions, 'db' | 'log' | 'signal' | 'workerId' | 'once'>;
}

/** A worker id that tells machines and processes apart in the runs table. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** Scores PENDING content until `signal` aborts (or none is left with `once`). */
async function scoreContent(
  options: WorkerOptions,
  scorer: ContentScorer,
  pollMs: number,
): Promise<void> {
  const { log, signal } = options;
  while (!signal.aborted) {
    let scored = 0;
    try {
      scored = await scorer.scorePending();
      if (scored > 0) log.info({ scored }, 'scored submitted content');
    } catch (err) {
      // One bad cycle (database hiccup, model load) must not stop training or later cycles.
      log.error({ err }, 'content scoring failed; retrying');
    }
    if (scored === 0) {
      if (options.once) return;
      await sleep(pollMs, signal);
    }
  }
}

/**
 * Runs until `signal` aborts (or the queue is empty with `once`); returns what each run became.
 * With a `scorer`, content scoring runs alongside training in the same process; with `webhooks`,
 * webhook delivery too.
 */
export async function runWorker(options: WorkerOptions): Promise<ExecuteResult[]> {
  const scoring = options.scorer
    ? scoreContent(options, options.scorer, options.pollMs ?? 2000)
    : Promise.resolve();
  const { webhooks, db, log, signal } = options;
  const workerId = options.workerId ?? defaultWorkerId();
  const delivery = webhooks
    ? deliverWebhooks({ ...webhooks, db, log, signal, workerId, once: options.once === true })
    : Promise.resolve();
  const [results] = await Promise.all([trainRuns(options), scoring, delivery]);
  return results;
}

/**
 * The polling loop of the training services: re-queue work whose worker died, then a pending
 * detector promotion, else the oldest queued run; sleep when there is neither.
 */
async function trainRuns(options: WorkerOptions): Promise<ExecuteResult[]> {
  const { db, store, log, signal } = options;
  const workerId = options.workerId ?? defaultWorkerId();
  const pollMs = options.pollMs ?? 2000;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const results: ExecuteResult[] = [];
  log.info({ workerId, pollMs, staleAfterMs }, 'worker started');
  while (!signal.aborted) {
    await requeueStaleDetectorTraining(db, staleAfterMs, log);
    await requeueStaleTrainingRuns(db, staleAfterMs, log);
    // Detector promotions (minutes of CPU) go before new runs: someone is waiting on the Models page.
    const detector = await trainNextDetectorRequest(db, store, workerId, log);
    if (detector !== null) continue;
    // Jobs the dashboard asked for (export a run, recalibrate from decisions): seconds each.
    if (await runNextWorkerJob(db, store, workerId, log)) continue;
    const { heartbeatMs } = options;
    const result = await trainNextRun({ db, store, workerId, log, shutdown: signal, heartbeatMs });
    if (result === null) {
      if (options.once) break;
      await sleep(pollMs, signal);
      continue;
    }
    results.push(result);
  }
  log.info({ workerId }, 'worker stopped');
  return results;
}
