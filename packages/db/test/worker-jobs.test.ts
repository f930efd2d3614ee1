// Worker jobs on both databases: one request per kind and run while it waits, one worker per
// job, results and failures recorded, lost jobs queued again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { connectDb } from '../src/client.js';
import { migrate } from '../src/migrate/index.js';
import {
  claimWorkerJob,
  finishWorkerJob,
  latestWorkerJob,
  requestWorkerJob,
  requeueStaleWorkerJobs,
} from '../src/worker-jobs.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

describe.each(PROVIDERS)('worker jobs on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    db = await connectDb(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('queues a job once while it waits, and hands it to exactly one worker', async () => {
    const a = await requestWorkerJob(db, { kind: 'EXPORT_RUN', runId: 'run-1' });
    const b = await requestWorkerJob(db, { kind: 'EXPORT_RUN', runId: 'run-1' });
    expect(a.outcome).toBe('REQUESTED');
    expect(b).toMatchObject({ outcome: 'ALREADY_REQUESTED', job: { id: a.job.id } });
    // Another run's export is another job.
    const other = await requestWorkerJob(db, { kind: 'EXPORT_RUN', runId: 'run-2' });
    expect(other.outcome).toBe('REQUESTED');

    const claims = await Promise.all([
      claimWorkerJob(db, 'w1'),
      claimWorkerJob(db, 'w2'),
      claimWorkerJob(db, 'w3'),
    ]);
    const won = claims.filter((j) => j !== null);
    expect(won.map((j) => j.id).sort()).toEqual([a.job.id, other.job.id].sort());
    expect(new Set(won.map((j) => j.workerId)).size).toBe(2);
    expect(await claimWorkerJob(db, 'w4')).toBeNull();

    await finishWorkerJob(db, a.job.id, { result: { step: 4, path: 'runs/run-1/export/x' } });
    await finishWorkerJob(db, other.job.id, { error: 'run run-2 has no checkpoint yet' });
    expect(await latestWorkerJob(db, 'EXPORT_RUN', 'run-1')).toMatchObject({
      status: 'SUCCEEDED',
      result: { step: 4 },
    });
    expect(await latestWorkerJob(db, 'EXPORT_RUN', 'run-2')).toMatchObject({
      status: 'FAILED',
      error: 'run run-2 has no checkpoint yet',
    });
    // Finished, the same export can be asked for again.
    expect((await requestWorkerJob(db, { kind: 'EXPORT_RUN', runId: 'run-1' })).outcome).toBe(
      'REQUESTED',
    );
  });

  it('queues a job again when its worker stopped long ago, not before', async () => {
    const { job } = await requestWorkerJob(db, { kind: 'RECALIBRATE', createdById: null });
    let claimed = await claimWorkerJob(db, 'w1');
    while (claimed && claimed.id !== job.id) claimed = await claimWorkerJob(db, 'w1');
    expect(claimed?.id).toBe(job.id);
    const now = new Date();
    expect(await requeueStaleWorkerJobs(db, 60_000, now)).toEqual([]);
    expect(await requeueStaleWorkerJobs(db, 60_000, new Date(now.getTime() + 120_000))).toContain(
      job.id,
    );
    expect(await latestWorkerJob(db, 'RECALIBRATE')).toMatchObject({
      status: 'PENDING',
      workerId: null,
    });
  });
});
