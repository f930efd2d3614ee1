/**
 * Worker jobs: work the dashboard asks the trainer's worker to do (export a run, recalibrate the
 * policy from decisions), the way detector promotions are asked for. A request writes a PENDING
 * row; one worker claims it (RUNNING, one conditional UPDATE); it ends SUCCEEDED with its result
 * or FAILED with the reason.
 */
import type { Db } from './db-types.js';
import type { WorkerJobKind } from './generated/sqlite/enums.js';
import type { Prisma, WorkerJob } from './generated/sqlite/client.js';

/** What {@link requestWorkerJob} did. */
export type WorkerJobRequestResult =
  | { outcome: 'REQUESTED'; job: WorkerJob }
  /** The same job (kind and run) is already PENDING or RUNNING: nothing new. */
  | { outcome: 'ALREADY_REQUESTED'; job: WorkerJob };

/**
 * Asks the worker for a job. A second request for the same kind and run while one is waiting or
 * running returns that one, so a double click never queues the work twice.
 */
export async function requestWorkerJob(
  db: Db,
  request: { kind: WorkerJobKind; runId?: string | null; createdById?: string | null },
): Promise<WorkerJobRequestResult> {
  const runId = request.runId ?? null;
  const existing = await db.workerJob.findFirst({
    where: { kind: request.kind, runId, status: { in: ['PENDING', 'RUNNING'] } },
    orderBy: { createdAt: 'desc' },
  });
  if (existing) return { outcome: 'ALREADY_REQUESTED', job: existing };
  const job = await db.workerJob.create({
    data: { kind: request.kind, runId, createdById: request.createdById ?? null },
  });
  return { outcome: 'REQUESTED', job };
}

/**
 * Claims the oldest PENDING job for `workerId` (a conditional update per candidate, so two
 * workers never run the same job). Returns null when there is none.
 */
export async function claimWorkerJob(db: Db, workerId: string): Promise<WorkerJob | null> {
  const candidates = await db.workerJob.findMany({
    where: { status: 'PENDING' },
    orderBy: { createdAt: 'asc' },
    take: 5,
    select: { id: true },
  });
  for (const { id } of candidates) {
    const { count } = await db.workerJob.updateMany({
      where: { id, status: 'PENDING' },
      data: { status: 'RUNNING', workerId, startedAt: new Date() },
    });
    if (count === 1) return db.workerJob.findUnique({ where: { id } });
  }
  return null;
}

/** Ends a claimed job: SUCCEEDED with `result`, or FAILED with `error` (cut to 2,000 characters). */
export async function finishWorkerJob(
  db: Db,
  id: string,
  outcome: { result: Prisma.InputJsonObject } | { error: string },
): Promise<void> {
  await db.workerJob.update({
    where: { id },
    data:
      'result' in outcome
        ? { status: 'SUCCEEDED', result: outcome.result, finishedAt: new Date() }
        : { status: 'FAILED', error: outcome.error.slice(0, 2000), finishedAt: new Date() },
  });
}

/**
 * Puts RUNNING jobs whose worker started them more than `staleAfterMs` ago back to PENDING (the
 * worker died: jobs are short, minutes at most). Returns their ids.
 */
export async function requeueStaleWorkerJobs(
  db: Db,
  staleAfterMs: number,
  now: Date = new Date(),
): Promise<string[]> {
  const stale = await db.workerJob.findMany({
    where: { status: 'RUNNING', startedAt: { lt: new Date(now.getTime() - staleAfterMs) } },
    select: { id: true, startedAt: true },
  });
  const ids: string[] = [];
  for (const job of stale) {
    const { count } = await db.workerJob.updateMany({
      where: { id: job.id, status: 'RUNNING', startedAt: job.startedAt },
      data: { status: 'PENDING', workerId: null, startedAt: null },
    });
    if (count === 1) ids.push(job.id);
  }
  return ids;
}

/** The newest job of `kind` (for `runId`, when given), or null. */
export function latestWorkerJob(
  db: Db,
  kind: WorkerJobKind,
  runId?: string | null,
): Promise<WorkerJob | null> {
  return db.workerJob.findFirst({
    where: { kind, ...(runId === undefined ? {} : { runId }) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}
