import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/client.js';
import { connectDb, createDb } from '../src/client.js';
import { migrate } from '../src/migrate/index.js';
import {
  claimNextRun,
  createClaimedRun,
  createRun,
  heartbeatRun,
  releaseRun,
  requeueStaleRuns,
} from '../src/runs.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

describe.each(PROVIDERS)('run queue on %s', (provider) => {
  let database: TestDatabase;
  const clients: Db[] = [];
  const t = {
    db: undefined as unknown as Db,
    /** Another client on the same database, as a second worker process would have. */
    connect(): Db {
      const db = createDb(database.url);
      clients.push(db);
      return db;
    },
  };
  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    t.db = await connectDb(database.url);
    clients.push(t.db);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.$disconnect()));
    await database?.drop();
  });

  async function queueRuns(n: number, prefix: string) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const run = await createRun(t.db, { name: `${prefix}-${i}`, config: { i }, totalSteps: 10 });
      ids.push(run.id);
    }
    return ids;
  }

  it('gives each of ten queued runs to exactly one of several racing workers', async () => {
    const ids = await queueRuns(10, 'race');
    const workers = ['w1', 'w2', 'w3', 'w4'].map((id) => ({ id, db: t.connect() }));
    const claims = new Map<string, string[]>();
    await Promise.all(
      workers.map(async (w) => {
        for (;;) {
          const run = await claimNextRun(w.db, w.id);
          if (!run) return;
          claims.set(run.id, [...(claims.get(run.id) ?? []), w.id]);
        }
      }),
    );
    expect([...claims.keys()].sort()).toEqual([...ids].sort());
    for (const holders of claims.values()) expect(holders).toHaveLength(1);
    const rows = await t.db.trainingRun.findMany({ where: { id: { in: ids } } });
    for (const row of rows) {
      expect(row.status).toBe('RUNNING');
      expect(row.attempt).toBe(1);
      expect(claims.get(row.id)).toEqual([row.workerId]);
    }
    await t.db.trainingRun.updateMany({
      where: { id: { in: ids } },
      data: { status: 'SUCCEEDED' },
    });
  });

  it('claims the oldest run first', async () => {
    const [first] = await queueRuns(3, 'order');
    const run = await claimNextRun(t.db, 'w');
    expect(run?.id).toBe(first);
    await t.db.trainingRun.updateMany({
      where: { name: { startsWith: 'order' } },
      data: { status: 'SUCCEEDED' },
    });
  });

  it('re-queues a run whose worker stopped heart-beating, and the old worker loses its claim', async () => {
    const [id] = await queueRuns(1, 'stale');
    const claimed = await claimNextRun(t.db, 'dead-worker');
    expect(claimed?.id).toBe(id);
    expect(await requeueStaleRuns(t.db, 60_000)).toEqual([]);
    await t.db.trainingRun.update({
      where: { id: id! },
      data: { heartbeatAt: new Date(Date.now() - 120_000) },
    });
    expect(await requeueStaleRuns(t.db, 60_000)).toEqual([id]);
    expect(await heartbeatRun(t.db, id!, 'dead-worker', 5)).toEqual({
      held: false,
      cancelRequested: false,
    });
    const again = await claimNextRun(t.db, 'live-worker');
    expect(again).toMatchObject({ id, attempt: 2 });
    expect(await releaseRun(t.db, id!, 'dead-worker', { status: 'SUCCEEDED', step: 10 })).toBe(
      false,
    );
    expect(await releaseRun(t.db, id!, 'live-worker', { status: 'SUCCEEDED', step: 10 })).toBe(
      true,
    );
    const row = await t.db.trainingRun.findUniqueOrThrow({ where: { id: id! } });
    expect(row).toMatchObject({ status: 'SUCCEEDED', step: 10, workerId: null });
    expect(row.finishedAt).not.toBeNull();
  });

  it('reports a cancel request through the heartbeat', async () => {
    const [id] = await queueRuns(1, 'cancel');
    await claimNextRun(t.db, 'w');
    expect(await heartbeatRun(t.db, id!, 'w', 1)).toEqual({ held: true, cancelRequested: false });
    await t.db.trainingRun.update({ where: { id: id! }, data: { cancelRequested: true } });
    expect(await heartbeatRun(t.db, id!, 'w', 2)).toEqual({ held: true, cancelRequested: true });
    await releaseRun(t.db, id!, 'w', { status: 'CANCELLED', step: 2 });
  });

  it('never claims a run whose cancel was requested while queued', async () => {
    await queueRuns(1, 'precancel');
    await t.db.trainingRun.updateMany({
      where: { name: 'precancel-0' },
      data: { cancelRequested: true },
    });
    expect(await claimNextRun(t.db, 'w')).toBeNull();
  });

  it('a foreground run is held from its insert: workers polling meanwhile never get it', async () => {
    // Workers poll as fast as they can while the CLI creates its run; before, the CLI inserted a
    // QUEUED row and claimed it after, and a worker on the same database could take it between.
    const workers = ['p1', 'p2'].map((id) => ({ id, db: t.connect() }));
    let creating = true;
    const taken: string[] = [];
    const polls = workers.map(async (w) => {
      while (creating) {
        const run = await claimNextRun(w.db, w.id);
        if (run !== null) taken.push(run.id);
      }
    });
    const runs = [];
    for (let i = 0; i < 5; i++) {
      runs.push(
        await createClaimedRun(t.db, { name: `cli-${i}`, config: { i }, totalSteps: 4 }, 'cli:me'),
      );
    }
    creating = false;
    await Promise.all(polls);
    await Promise.all(workers.map((w) => w.db.$disconnect()));
    expect(taken).toEqual([]);
    const rows = await t.db.trainingRun.findMany({ where: { name: { startsWith: 'cli-' } } });
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'RUNNING', workerId: 'cli:me', attempt: 1 });
      expect(row.startedAt).not.toBeNull();
    }
    expect(runs.map((r) => r.attempt)).toEqual([1, 1, 1, 1, 1]);
  });
});
