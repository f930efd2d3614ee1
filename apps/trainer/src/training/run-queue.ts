/**
 * The training service's turn in the worker loop: re-queue runs whose worker died, and claim the
 * oldest queued run and train it. Claims and re-queues are `@ganmod/db`'s (packages/db/src/runs.ts).
 */
import { claimNextRun, requeueStaleRuns, type Db } from '@ganmod/db';
import type { Logger } from 'pino';
import type { ArtifactStore } from '../artifacts.js';
import { executeRun, type ExecuteResult } from './executor.js';

/** Puts RUNNING runs whose worker stopped heart-beating back in the queue (logged). */
export async function requeueStaleTrainingRuns(
  db: Db,
  staleAfterMs: number,
  log: Logger,
): Promise<void> {
  const requeued = await requeueStaleRuns(db, staleAfterMs);
  if (requeued.length > 0)
    log.warn({ runIds: requeued }, 're-queued runs whose worker stopped heart-beating');
}

export interface NextRunOptions {
  db: Db;
  store: ArtifactStore;
  workerId: string;
  log: Logger;
  /** The worker's stop signal: the run checkpoints and goes back to the queue. */
  shutdown: AbortSignal;
  heartbeatMs?: number | undefined;
}

/** Claims and trains the oldest queued run; null when the queue is empty. */
export async function trainNextRun(options: NextRunOptions): Promise<ExecuteResult | null> {
  const { db, store, workerId, log, shutdown } = options;
  const run = await claimNextRun(db, workerId);
  if (run === null) return null;
  log.info({ runId: run.id, name: run.name, attempt: run.attempt }, 'claimed run');
  return executeRun({
    db,
    store,
    run,
    workerId,
    log,
    shutdown,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
}
