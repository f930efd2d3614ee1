/**
 * Worker jobs the dashboard asks for (see `@ganmod/db`'s worker-jobs): export a run's newest
 * checkpoint as a browser-loadable generator (what the playground loads), or recalibrate the
 * policy from moderator decisions (`feedback`). The worker runs one per loop turn, before new
 * training runs: each takes seconds, and someone is waiting on the page that asked.
 */
import {
  claimWorkerJob,
  finishWorkerJob,
  requeueStaleWorkerJobs,
  type Db,
  type Prisma,
  type WorkerJob,
} from '@ganmod/db';
import type { Logger } from 'pino';
import type { ArtifactStore } from '../artifacts.js';
import { formatFeedbackReport, runFeedback } from '../scoring/feedback.js';
import { exportRun } from '../training/generator-source.js';

/** A RUNNING job older than this is taken to have lost its worker and is queued again. */
export const WORKER_JOB_STALE_MS = 15 * 60_000;

/** Runs one job and returns what it stores as its `result`. */
async function execute(
  db: Db,
  store: ArtifactStore,
  job: WorkerJob,
): Promise<Prisma.InputJsonObject> {
  switch (job.kind) {
    case 'EXPORT_RUN': {
      if (!job.runId) throw new Error('an export job names no run');
      const { step } = await exportRun(db, store, job.runId);
      const artifact = await db.artifact.findUnique({
        where: { runId_kind_step: { runId: job.runId, kind: 'EXPORT', step } },
        select: { id: true, path: true },
      });
      return { step, artifactId: artifact?.id ?? null, path: artifact?.path ?? null };
    }
    case 'RECALIBRATE': {
      const report = await runFeedback(db, store, { createdById: job.createdById });
      // The report (counts, before/after per category, what was stored) and its text table.
      return {
        ...(JSON.parse(JSON.stringify(report)) as Prisma.InputJsonObject),
        table: formatFeedbackReport(report, false),
      };
    }
  }
}

/**
 * Re-queues jobs whose worker died, then claims and runs the oldest PENDING job, recording its
 * result or its error. Returns false when there was none.
 */
export async function runNextWorkerJob(
  db: Db,
  store: ArtifactStore,
  workerId: string,
  log: Logger,
): Promise<boolean> {
  const requeued = await requeueStaleWorkerJobs(db, WORKER_JOB_STALE_MS);
  if (requeued.length > 0) log.warn({ jobs: requeued }, 're-queued worker jobs of a lost worker');
  const job = await claimWorkerJob(db, workerId);
  if (job === null) return false;
  const jobLog = log.child({ job: job.id, kind: job.kind, runId: job.runId });
  jobLog.info('worker job started');
  try {
    const result = await execute(db, store, job);
    await finishWorkerJob(db, job.id, { result });
    jobLog.info('worker job succeeded');
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await finishWorkerJob(db, job.id, { error });
    jobLog.error({ err }, 'worker job failed');
  }
  return true;
}
