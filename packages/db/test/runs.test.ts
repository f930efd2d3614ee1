import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { connectDb } from '../src/client.js';
import { migrate } from '../src/migrate/index.js';
import { cancelRun, resumeRun } from '../src/runs.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

describe.each(PROVIDERS)('run lifecycle on %s', (provider) => {
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

  const run = (status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED') =>
    db.trainingRun.create({ data: { name: status, config: {}, totalSteps: 10, status } });

  it('cancels a queued run at once and flags a running one', async () => {
    const queued = await run('QUEUED');
    expect(await cancelRun(db, queued.id)).toEqual({ outcome: 'CANCELLED' });
    expect(await db.trainingRun.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({
      status: 'CANCELLED',
    });
    const running = await run('RUNNING');
    expect(await cancelRun(db, running.id)).toEqual({ outcome: 'CANCEL_REQUESTED' });
    expect(await db.trainingRun.findUniqueOrThrow({ where: { id: running.id } })).toMatchObject({
      status: 'RUNNING',
      cancelRequested: true,
    });
    const done = await run('SUCCEEDED');
    expect(await cancelRun(db, done.id)).toEqual({ outcome: 'ALREADY_ENDED', status: 'SUCCEEDED' });
    expect(await cancelRun(db, 'nope')).toEqual({ outcome: 'NOT_FOUND' });
  });

  it('re-queues failed and cancelled runs only', async () => {
    const failed = await db.trainingRun.create({
      data: {
        name: 'f',
        config: {},
        totalSteps: 10,
        status: 'FAILED',
        error: 'boom',
        cancelRequested: true,
      },
    });
    expect(await resumeRun(db, failed.id)).toEqual({ outcome: 'QUEUED' });
    expect(await db.trainingRun.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({
      status: 'QUEUED',
      error: null,
      cancelRequested: false,
    });
    const running = await run('RUNNING');
    expect(await resumeRun(db, running.id)).toEqual({
      outcome: 'NOT_RESUMABLE',
      status: 'RUNNING',
    });
    expect(await resumeRun(db, 'nope')).toEqual({ outcome: 'NOT_FOUND' });
  });
});
