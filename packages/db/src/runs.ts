/**
 * The training run's lifecycle, whole: create (queued, or held by a foreground CLI), claim,
 * heartbeat, re-queue when stale, release, cancel and resume.
 *
 *   QUEUED ──claim──▶ RUNNING ──release──▶ SUCCEEDED | FAILED | CANCELLED
 *     ▲                  │ stale heartbeat / graceful stop         │
 *     └──────────────────┘◀──────────────── resume (FAILED, CANCELLED)
 *
 * Every transition is a single conditional `UPDATE ... WHERE status = <expected>` (Prisma's
 * `updateMany`), so it is atomic on SQLite and on PostgreSQL alike: when several workers race
 * for the same row, the database lets exactly one update match and the others see count 0.
 */
import type { Db } from './db-types.js';
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

/** A run this worker now holds. */
export interface ClaimedRun {
  id: string;
  name: string;
  config: unknown;
  step: number;
  totalSteps: number;
  attempt: number;
}

/** How many queued candidates one claim attempt looks at before giving up for this poll. */
const CLAIM_CANDIDATES = 5;

/**
 * Claims the oldest queued run for `workerId`, or returns null when the queue is empty.
 * Safe with any number of workers on any number of machines sharing the database.
 */
export async function claimNextRun(db: Db, workerId: string): Promise<ClaimedRun | null> {
  for (;;) {
    const candidates = await db.trainingRun.findMany({
      where: { status: 'QUEUED', cancelRequested: false },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
      take: CLAIM_CANDIDATES,
    });
    if (candidates.length === 0) return null;
    for (const { id } of candidates) {
      const now = new Date();
      const { count } = await db.trainingRun.updateMany({
        where: { id, status: 'QUEUED', cancelRequested: false },
        data: {
          status: 'RUNNING',
          workerId,
          claimedAt: now,
          heartbeatAt: now,
          attempt: { increment: 1 },
          error: null,
        },
      });
      if (count === 1) {
        const run = await db.trainingRun.findUniqueOrThrow({
          where: { id },
          select: {
            id: true,
            name: true,
            config: true,
            step: true,
            totalSteps: true,
            attempt: true,
          },
        });
        await db.trainingRun.updateMany({
          where: { id, startedAt: null },
          data: { startedAt: now },
        });
        return run;
      }
      // Another worker won this one; try the next candidate.
    }
  }
}

/** What a heartbeat learned about the run it kept alive. */
export interface HeartbeatResult {
  /** False when the claim was lost (the run was re-queued or taken by another worker). */
  held: boolean;
  cancelRequested: boolean;
}

/** Refreshes this worker's claim and reports whether a cancel was requested. */
export async function heartbeatRun(
  db: Db,
  runId: string,
  workerId: string,
  step: number,
): Promise<HeartbeatResult> {
  const { count } = await db.trainingRun.updateMany({
    where: { id: runId, workerId, status: 'RUNNING' },
    data: { heartbeatAt: new Date(), step },
  });
  if (count === 0) return { held: false, cancelRequested: false };
  const run = await db.trainingRun.findUnique({
    where: { id: runId },
    select: { cancelRequested: true },
  });
  return { held: true, cancelRequested: run?.cancelRequested ?? false };
}

/**
 * Puts runs whose worker stopped heart-beating for `staleAfterMs` back in the queue, so any
 * worker resumes them from their last checkpoint. Returns the ids it re-queued.
 */
export async function requeueStaleRuns(db: Db, staleAfterMs: number): Promise<string[]> {
  const cutoff = new Date(Date.now() - staleAfterMs);
  const stale = await db.trainingRun.findMany({
    where: { status: 'RUNNING', heartbeatAt: { lt: cutoff } },
    select: { id: true, workerId: true },
  });
  const requeued: string[] = [];
  for (const run of stale) {
    // Conditional on the same worker and a still-stale heartbeat: a worker that just woke up wins.
    const { count } = await db.trainingRun.updateMany({
      where: { id: run.id, status: 'RUNNING', workerId: run.workerId, heartbeatAt: { lt: cutoff } },
      data: { status: 'QUEUED', workerId: null, claimedAt: null },
    });
    if (count === 1) requeued.push(run.id);
  }
  return requeued;
}

/** Final states a worker can put its run in. */
export type RunOutcome =
  | { status: 'SUCCEEDED'; step: number }
  | { status: 'CANCELLED'; step: number }
  | { status: 'FAILED'; step: number; error: string }
  | { status: 'QUEUED'; step: number };

/**
 * Ends this worker's hold on a run: finished, cancelled, failed with a reason, or put back in the
 * queue (graceful shutdown). Returns false when the claim had already been lost.
 */
export async function releaseRun(
  db: Db,
  runId: string,
  workerId: string,
  outcome: RunOutcome,
): Promise<boolean> {
  const finished = outcome.status !== 'QUEUED';
  const { count } = await db.trainingRun.updateMany({
    where: { id: runId, workerId, status: 'RUNNING' },
    data: {
      status: outcome.status,
      step: outcome.step,
      workerId: null,
      claimedAt: null,
      heartbeatAt: finished ? undefined : null,
      finishedAt: finished ? new Date() : null,
      error: outcome.status === 'FAILED' ? outcome.error : null,
    },
  });
  return count === 1;
}

/** What a run is created with. `config` has been validated by gan-core's schema. */
export interface NewRun {
  name: string;
  config: object;
  totalSteps: number;
  /** The run this one was cloned from. */
  parentRunId?: string;
  /** The user who launched it (null for the CLI). */
  createdById?: string;
}

/** Queues a run for any worker to claim (the dashboard's launch and clone). */
export async function createRun(db: Db, run: NewRun): Promise<{ id: string }> {
  return db.trainingRun.create({ data: { ...run, status: 'QUEUED' }, select: { id: true } });
}

/**
 * Creates a run already held by `workerId` (the CLI's foreground `train`), in one insert: the row
 * is never QUEUED, so a worker polling the same database cannot take it first.
 */
export async function createClaimedRun(db: Db, run: NewRun, workerId: string): Promise<ClaimedRun> {
  const now = new Date();
  return db.trainingRun.create({
    data: {
      ...run,
      status: 'RUNNING',
      workerId,
      claimedAt: now,
      heartbeatAt: now,
      startedAt: now,
      attempt: 1,
    },
    select: { id: true, name: true, config: true, step: true, totalSteps: true, attempt: true },
  });
}
