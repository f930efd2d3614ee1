/**
 * Run lifecycle transitions that the CLI and the dashboard both offer. Each is a conditional
 * update on the run's status, so it is atomic against workers changing the run at the same time.
 */
import type { Db } from './client.js';
import type { RunStatus } from './generated/sqlite/enums.js';

/** What {@link cancelRun} did. */
export type CancelRunResult =
  /** The run was queued: it is cancelled now and no worker will claim it. */
  | { outcome: 'CANCELLED' }
  /** The run is training: its worker stops after the current step and checkpoints. */
  | { outcome: 'CANCEL_REQUESTED' }
  /** The run had already ended; nothing changed. */
  | { outcome: 'ALREADY_ENDED'; status: RunStatus }
  | { outcome: 'NOT_FOUND' };

/** Cancels a queued run at once, or asks a running one to stop within one step. */
export async function cancelRun(db: Db, id: string): Promise<CancelRunResult> {
  const queued = await db.trainingRun.updateMany({
    where: { id, status: 'QUEUED' },
    data: { status: 'CANCELLED', finishedAt: new Date(), cancelRequested: true },
  });
  if (queued.count === 1) return { outcome: 'CANCELLED' };
  const running = await db.trainingRun.updateMany({
    where: { id, status: 'RUNNING' },
    data: { cancelRequested: true },
  });
  if (running.count === 1) return { outcome: 'CANCEL_REQUESTED' };
  const run = await db.trainingRun.findUnique({ where: { id }, select: { status: true } });
  return run === null ? { outcome: 'NOT_FOUND' } : { outcome: 'ALREADY_ENDED', status: run.status };
}

/** What {@link resumeRun} did. */
export type ResumeRunResult =
  /** Back in the queue; the worker that claims it continues from its last checkpoint. */
  | { outcome: 'QUEUED' }
  /** Only FAILED or CANCELLED runs resume; nothing changed. */
  | { outcome: 'NOT_RESUMABLE'; status: RunStatus }
  | { outcome: 'NOT_FOUND' };

/** Re-queues a failed or cancelled run. */
export async function resumeRun(db: Db, id: string): Promise<ResumeRunResult> {
  const { count } = await db.trainingRun.updateMany({
    where: { id, status: { in: ['FAILED', 'CANCELLED'] } },
    data: {
      status: 'QUEUED',
      cancelRequested: false,
      error: null,
      workerId: null,
      finishedAt: null,
    },
  });
  if (count === 1) return { outcome: 'QUEUED' };
  const run = await db.trainingRun.findUnique({ where: { id }, select: { status: true } });
  return run === null ? { outcome: 'NOT_FOUND' } : { outcome: 'NOT_RESUMABLE', status: run.status };
}
