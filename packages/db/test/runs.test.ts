import { describe, expect, it } from 'vitest';

import { cancelRun, resumeRun } from '../src/runs.js';
import { PROVIDERS, useMigratedDatabase } from './helpers.js';

describe.each(PROVIDERS)('run lifecycle on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  const run = (status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED') =>
    database.db.trainingRun.create({ data: { name: status, config: {}, totalSteps: 10, status } });

  it('cancels a queued run at once and flags a running one', async () => {
    const queued = await run('QUEUED');
    expect(await cancelRun(database.db, queued.id)).toEqual({ outcome: 'CANCELLED' });
    expect(
      await database.db.trainingRun.findUniqueOrThrow({ where: { id: queued.id } }),
    ).toMatchObject({
      status: 'CANCELLED',
    });
    const running = await run('RUNNING');
    expect(await cancelRun(database.db, running.id)).toEqual({ outcome: 'CANCEL_REQUESTED' });
    expect(
      await database.db.trainingRun.findUniqueOrThrow({ where: { id: running.id } }),
    ).toMatchObject({
      status: 'RUNNING',
      cancelRequested: true,
    });
    const done = await run('SUCCEEDED');
    expect(await cancelRun(database.db, done.id)).toEqual({
      outcome: 'ALREADY_ENDED',
      status: 'SUCCEEDED',
    });
    expect(await cancelRun(database.db, 'nope')).toEqual({ outcome: 'NOT_FOUND' });
  });

  it('re-queues failed and cancelled runs only', async () => {
    const failed = await database.db.trainingRun.create({
      data: {
        name: 'f',
        config: {},
        totalSteps: 10,
        status: 'FAILED',
        error: 'boom',
        cancelRequested: true,
      },
    });
    expect(await resumeRun(database.db, failed.id)).toEqual({ outcome: 'QUEUED' });
    expect(
      await database.db.trainingRun.findUniqueOrThrow({ where: { id: failed.id } }),
    ).toMatchObject({
      status: 'QUEUED',
      error: null,
      cancelRequested: false,
    });
    const running = await run('RUNNING');
    expect(await resumeRun(database.db, running.id)).toEqual({
      outcome: 'NOT_RESUMABLE',
      status: 'RUNNING',
    });
    expect(await resumeRun(database.db, 'nope')).toEqual({ outcome: 'NOT_FOUND' });
  });
});
