import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { connectDb } from '../src/client.js';
import {
  activateDetectorModel,
  activateModerationPolicy,
  activeDetectorModel,
  claimDetectorRequest,
  completeDetectorRequest,
  failDetectorRequest,
  heartbeatDetectorRequest,
  requestDetectorPromotion,
  requeueStaleDetectorRequests,
} from '../src/detectors.js';
import { migrate } from '../src/migrate/index.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

describe.each(PROVIDERS)('detector model lifecycle on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  let other: Db;

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    db = await connectDb(database.url);
    other = await connectDb(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await other?.$disconnect();
    await database?.drop();
  });

  async function runWithCheckpoints(status: 'SUCCEEDED' | 'RUNNING', steps: number[]) {
    const run = await db.trainingRun.create({
      data: { name: `r-${status}`, config: {}, totalSteps: 100, status },
    });
    for (const step of steps) {
      await db.artifact.create({
        data: {
          runId: run.id,
          kind: 'CHECKPOINT',
          step,
          path: `runs/${run.id}/c/${step}`,
          bytes: 1,
        },
      });
    }
    return run;
  }

  it('refuses unknown, unfinished and checkpoint-less runs, naming why', async () => {
    expect(await requestDetectorPromotion(db, { runId: 'nope' })).toEqual({
      outcome: 'RUN_NOT_FOUND',
    });
    const running = await runWithCheckpoints('RUNNING', [10]);
    expect(await requestDetectorPromotion(db, { runId: running.id })).toEqual({
      outcome: 'RUN_NOT_SUCCEEDED',
      status: 'RUNNING',
    });
    const empty = await runWithCheckpoints('SUCCEEDED', []);
    expect(await requestDetectorPromotion(db, { runId: empty.id })).toEqual({
      outcome: 'NO_CHECKPOINT',
      steps: [],
    });
    const run = await runWithCheckpoints('SUCCEEDED', [50, 100]);
    expect(await requestDetectorPromotion(db, { runId: run.id, step: 75 })).toEqual({
      outcome: 'NO_CHECKPOINT',
      steps: [100, 50],
    });
  });

  it('requests once per run and step, defaulting to the newest checkpoint', async () => {
    const run = await runWithCheckpoints('SUCCEEDED', [50, 100]);
    const first = await requestDetectorPromotion(db, { runId: run.id, config: { steps: 5 } });
    expect(first.outcome).toBe('REQUESTED');
    if (first.outcome !== 'REQUESTED') return;
    expect(first.model).toMatchObject({
      kind: 'SYNTHETIC_IMAGE',
      status: 'PENDING',
      sourceStep: 100,
      active: false,
      config: { steps: 5 },
    });
    const again = await requestDetectorPromotion(db, { runId: run.id, step: 100 });
    expect(again).toEqual({ outcome: 'ALREADY_REQUESTED', model: first.model });
    const older = await requestDetectorPromotion(db, { runId: run.id, step: 50 });
    expect(older.outcome).toBe('REQUESTED');
  });

  it('lets exactly one of two racing workers claim each request', async () => {
    await db.detectorModel.updateMany({ where: { status: 'PENDING' }, data: { status: 'FAILED' } });
    const run = await runWithCheckpoints('SUCCEEDED', [10, 20]);
    await requestDetectorPromotion(db, { runId: run.id, step: 10 });
    await requestDetectorPromotion(db, { runId: run.id, step: 20 });
    const claims = await Promise.all([
      claimDetectorRequest(db, 'w1'),
      claimDetectorRequest(other, 'w2'),
      claimDetectorRequest(db, 'w3'),
    ]);
    const claimed = claims.filter((c) => c !== null);
    expect(claimed).toHaveLength(2);
    expect(new Set(claimed.map((c) => c.id)).size).toBe(2);
    for (const c of claimed) expect(c.status).toBe('TRAINING');
    expect(await claimDetectorRequest(db, 'w4')).toBeNull();
  });

  it('re-queues a request whose worker stopped heart-beating, and only that one', async () => {
    await db.detectorModel.updateMany({
      where: { status: { in: ['PENDING', 'TRAINING'] } },
      data: { status: 'FAILED' },
    });
    const run = await runWithCheckpoints('SUCCEEDED', [7, 8]);
    await requestDetectorPromotion(db, { runId: run.id, step: 7 });
    await requestDetectorPromotion(db, { runId: run.id, step: 8 });
    const dead = (await claimDetectorRequest(db, 'dead'))!;
    const alive = (await claimDetectorRequest(db, 'alive'))!;
    const later = new Date(Date.now() + 60_000);
    // The live worker heart-beats "later"; the dead one never does again.
    await db.detectorModel.update({ where: { id: alive.id }, data: { heartbeatAt: later } });
    expect(await requeueStaleDetectorRequests(db, 30_000, later)).toEqual([dead.id]);
    expect(await db.detectorModel.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({
      status: 'PENDING',
      workerId: null,
    });
    expect(await heartbeatDetectorRequest(db, dead.id, 'dead')).toBe(false);
    expect(await heartbeatDetectorRequest(db, alive.id, 'alive')).toBe(true);
    expect((await claimDetectorRequest(db, 'next'))?.id).toBe(dead.id);
  });

  it('completes READY and active, leaving at most one active model per kind', async () => {
    const run = await runWithCheckpoints('SUCCEEDED', [1, 2, 3]);
    const ids: string[] = [];
    for (const step of [1, 2, 3]) {
      const r = await requestDetectorPromotion(db, { runId: run.id, step });
      if (r.outcome !== 'REQUESTED') throw new Error(r.outcome);
      ids.push(r.model.id);
    }
    await db.detectorModel.updateMany({ where: { id: { in: ids } }, data: { status: 'TRAINING' } });
    await completeDetectorRequest(db, ids[0]!, { averagePrecision: 0.9 });
    expect((await activeDetectorModel(db, 'SYNTHETIC_IMAGE'))?.id).toBe(ids[0]);
    await failDetectorRequest(db, ids[2]!, 'dataset missing');
    expect(await activateDetectorModel(db, ids[2]!)).toBe(false);
    expect(await db.detectorModel.findUniqueOrThrow({ where: { id: ids[2]! } })).toMatchObject({
      status: 'FAILED',
      error: 'dataset missing',
      active: false,
    });
    await completeDetectorRequest(db, ids[1]!, { averagePrecision: 0.8 });
    if (provider === 'postgres') {
      // Two activations racing on two clients: whichever commits last wins, never both.
      await Promise.all([
        activateDetectorModel(db, ids[0]!),
        activateDetectorModel(other, ids[1]!),
      ]);
    } else {
      // SQLite serialises writers on the file; libsql's busy wait is synchronous, so two clients
      // in one process cannot race here (separate processes can, and queue on the lock).
      await activateDetectorModel(db, ids[0]!);
      await activateDetectorModel(other, ids[1]!);
      expect((await activeDetectorModel(db, 'SYNTHETIC_IMAGE'))?.id).toBe(ids[1]);
    }
    const active = await db.detectorModel.findMany({
      where: { kind: 'SYNTHETIC_IMAGE', active: true },
    });
    expect(active).toHaveLength(1);
    // Other kinds are untouched by a synthetic activation.
    const spam = await db.detectorModel.create({
      data: { kind: 'SPAM_TEXT', name: 'spam', path: 'x.json', status: 'READY' },
    });
    expect(await activateDetectorModel(db, spam.id)).toBe(true);
    expect(await db.detectorModel.count({ where: { active: true } })).toBe(2);
  });

  it('keeps one active moderation policy', async () => {
    const a = await db.moderationPolicy.create({ data: { version: 'a', config: {} } });
    const b = await db.moderationPolicy.create({ data: { version: 'b', config: {} } });
    expect(await activateModerationPolicy(db, a.id)).toBe(true);
    expect(await activateModerationPolicy(db, b.id)).toBe(true);
    expect(await activateModerationPolicy(db, 'nope')).toBe(false);
    const active = await db.moderationPolicy.findMany({ where: { active: true } });
    expect(active.map((p) => p.version)).toEqual(['b']);
  });
});
