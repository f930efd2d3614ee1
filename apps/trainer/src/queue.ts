/**
 * The run queue in the database: claiming, heart-beating and re-queuing runs.
 *
 * Every transition is a single conditional `UPDATE ... WHERE status = <expected>` (Prisma's
 * `updateMany`), so it is atomic on SQLite and on PostgreSQL alike: when several workers race
 * for the same row, the database lets exactly one update match and the others see count 0.
 */
import type { Db } from '@ganmod/db';

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
export async function heartbeat(
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

/** What a foreground run is created with. */
export interface NewRun {
  name: string;
  config: object;
  totalSteps: number;
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
