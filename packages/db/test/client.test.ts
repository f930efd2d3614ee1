import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { connectDb } from '../src/client.js';
import { isUniqueConstraintError } from '../src/errors.js';
import { migrate } from '../src/migrate/index.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

/** Resolves to the rejection of `promise` (fails the test when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe.each(PROVIDERS)('the client on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  let userId: string;

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    db = await connectDb(database.url);
    const user = await db.user.create({
      data: { id: `u-${provider}`, name: 'Mod', email: `mod-${provider}@example.test` },
    });
    userId = user.id;
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('creates users with the defaults better-auth and the dashboard rely on', async () => {
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user).toMatchObject({ role: 'MODERATOR', disabled: false, emailVerified: false });
    expect(user.createdAt).toBeInstanceOf(Date);
  });

  it('stores a training run with JSON config, metrics and artifacts', async () => {
    const config = { model: 'dcgan', dataset: { name: 'mnist', classes: [0, 1] }, lr: 2e-4 };
    const run = await db.trainingRun.create({
      data: { name: 'digits', config, totalSteps: 100, createdById: userId },
    });
    expect(run).toMatchObject({ status: 'QUEUED', step: 0, attempt: 0, cancelRequested: false });
    expect((await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } })).config).toEqual(
      config,
    );

    await db.runMetric.createMany({
      data: [
        { runId: run.id, step: 1, name: 'loss_d', value: 1.25 },
        { runId: run.id, step: 1, name: 'loss_g', value: 0.75 },
        { runId: run.id, step: 2, name: 'loss_d', value: 1.0 },
      ],
    });
    const curve = await db.runMetric.findMany({
      where: { runId: run.id, name: 'loss_d' },
      orderBy: { step: 'asc' },
    });
    expect(curve.map((m) => [m.step, m.value])).toEqual([
      [1, 1.25],
      [2, 1.0],
    ]);

    // A step recorded twice (e.g. after a resume) cannot duplicate a point...
    const duplicate = await rejectionOf(
      db.runMetric.create({ data: { runId: run.id, step: 1, name: 'loss_d', value: 9 } }),
    );
    expect(isUniqueConstraintError(duplicate)).toBe(true);
    // ...and re-recording goes through the compound key.
    await db.runMetric.upsert({
      where: { runId_step_name: { runId: run.id, step: 1, name: 'loss_d' } },
      create: { runId: run.id, step: 1, name: 'loss_d', value: 1.5 },
      update: { value: 1.5 },
    });
    expect(await db.runMetric.count({ where: { runId: run.id } })).toBe(3);

    await db.artifact.create({
      data: {
        runId: run.id,
        step: 50,
        kind: 'SAMPLE_GRID',
        path: 'runs/x/grid-50.png',
        bytes: 1234,
      },
    });
    const sameArtifact = await rejectionOf(
      db.artifact.create({
        data: { runId: run.id, step: 50, kind: 'SAMPLE_GRID', path: 'other.png', bytes: 1 },
      }),
    );
    expect(isUniqueConstraintError(sameArtifact)).toBe(true);

    // Deleting a run takes its metrics and artifacts with it.
    await db.trainingRun.delete({ where: { id: run.id } });
    expect(await db.runMetric.count({ where: { runId: run.id } })).toBe(0);
    expect(await db.artifact.count({ where: { runId: run.id } })).toBe(0);
  });

  it('claims a queued run for exactly one worker', async () => {
    const run = await db.trainingRun.create({ data: { name: 'race', config: {}, totalSteps: 10 } });
    const claim = (workerId: string) =>
      db.trainingRun.updateMany({
        where: { id: run.id, status: 'QUEUED' },
        data: { status: 'RUNNING', workerId, claimedAt: new Date(), attempt: { increment: 1 } },
      });
    const results = await Promise.all([claim('w1'), claim('w2'), claim('w3')]);
    expect(results.map((r) => r.count).sort()).toEqual([0, 0, 1]);
    const claimed = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(claimed.attempt).toBe(1);
  });

  it('keeps one content item per external id and API key', async () => {
    const key = (name: string) =>
      db.apiKey.create({
        data: { name, prefix: `gm_${name}`, hash: `hash-${name}`, createdById: userId },
      });
    const [a, b] = [await key('key-a'), await key('key-b')];
    await db.contentItem.create({
      data: { externalId: 'post-1', caption: 'hello', submittedByKeyId: a.id },
    });
    const again = await rejectionOf(
      db.contentItem.create({
        data: { externalId: 'post-1', caption: 'hello again', submittedByKeyId: a.id },
      }),
    );
    expect(isUniqueConstraintError(again)).toBe(true);
    // Another key's item with the same external id is its own item.
    const other = await db.contentItem.create({
      data: { externalId: 'post-1', caption: 'a different post', submittedByKeyId: b.id },
    });
    expect(await db.contentItem.count({ where: { externalId: 'post-1' } })).toBe(2);
    // The idempotent submission path: upsert on (key, external id) returns the same row.
    const where = { submittedByKeyId_externalId: { submittedByKeyId: b.id, externalId: 'post-1' } };
    const second = await db.contentItem.upsert({
      where,
      create: { externalId: 'post-1', caption: 'b', submittedByKeyId: b.id },
      update: {},
    });
    expect(second.id).toBe(other.id);
    expect(second.caption).toBe('a different post');
  });

  it('lets only one of two concurrent writers win with the version check', async () => {
    const item = await db.contentItem.create({
      data: { externalId: 'post-occ', status: 'IN_REVIEW' },
    });
    const decide = (status: 'APPROVED' | 'REMOVED') =>
      db.contentItem.updateMany({
        where: { id: item.id, version: item.version },
        data: { status, version: { increment: 1 } },
      });
    const winner = await decide('APPROVED');
    const loser = await decide('REMOVED');
    expect(winner.count).toBe(1);
    expect(loser.count).toBe(0);
    const stored = await db.contentItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(stored).toMatchObject({ status: 'APPROVED', version: item.version + 1 });
  });

  it('keeps one score per detector and item', async () => {
    const item = await db.contentItem.create({
      data: {
        externalId: 'post-scored',
        scores: {
          create: [{ detector: 'synthetic-image', score: 0.9, details: { p: [0.1, 0.9] } }],
        },
      },
      include: { scores: true },
    });
    expect(item.scores[0]?.details).toEqual({ p: [0.1, 0.9] });
    const duplicate = await rejectionOf(
      db.detectorScore.create({
        data: { itemId: item.id, detector: 'synthetic-image', score: 0.1 },
      }),
    );
    expect(isUniqueConstraintError(duplicate)).toBe(true);
  });

  it('keeps decisions append-only in the database itself', async () => {
    const item = await db.contentItem.create({ data: { externalId: 'post-audited' } });
    const decision = await db.decision.create({
      data: {
        itemId: item.id,
        actorId: userId,
        actorName: 'Mod',
        actorRole: 'MODERATOR',
        action: 'REMOVE',
        reasonCode: 'spam',
        note: 'ad',
      },
    });
    await db.decision.create({ data: { itemId: item.id, action: 'REVIEW', reasonCode: 'policy' } });

    const update = await rejectionOf(
      db.$executeRawUnsafe(
        provider === 'sqlite'
          ? `UPDATE "decisions" SET "note" = 'rewritten' WHERE "id" = ?`
          : `UPDATE "decisions" SET "note" = 'rewritten' WHERE "id" = $1`,
        decision.id,
      ),
    );
    expect(String(update)).toContain('decisions are append-only');
    const remove = await rejectionOf(db.$executeRawUnsafe(`DELETE FROM "decisions"`));
    expect(String(remove)).toContain('decisions are append-only');

    const log = await db.decision.findMany({
      where: { itemId: item.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(log).toHaveLength(2);
    expect(log.find((d) => d.id === decision.id)?.note).toBe('ad');
    // The actor snapshot cannot be rewritten either (a rename must not rewrite the log).
    const rename = await rejectionOf(
      db.$executeRawUnsafe(`UPDATE "decisions" SET "actorName" = 'Someone else'`),
    );
    expect(String(rename)).toContain('decisions are append-only');
    // An audited item cannot be deleted out from under its decisions either.
    await expect(db.contentItem.delete({ where: { id: item.id } })).rejects.toThrow();
  });

  it('refuses a decision by a user without the actor snapshot, and a policy decision with one', async () => {
    const item = await db.contentItem.create({ data: { externalId: 'post-snapshot' } });
    // Through the client (on SQLite Prisma reports any trigger refusal as a foreign key error)...
    await expect(
      db.decision.create({
        data: { itemId: item.id, actorId: userId, action: 'APPROVE', reasonCode: 'ok' },
      }),
    ).rejects.toThrow();
    await expect(
      db.decision.create({
        data: { itemId: item.id, actorName: 'Mod', action: 'ALLOW', reasonCode: 'policy.allow' },
      }),
    ).rejects.toThrow();
    // ...and in plain SQL, with the trigger's own words.
    const insert = (actorId: string | null, actorName: string | null) =>
      rejectionOf(
        db.$executeRawUnsafe(
          provider === 'sqlite'
            ? `INSERT INTO "decisions" ("id", "itemId", "actorId", "actorName", "action", "reasonCode") VALUES (?, ?, ?, ?, 'APPROVE', 'ok')`
            : `INSERT INTO "decisions" ("id", "itemId", "actorId", "actorName", "action", "reasonCode") VALUES ($1, $2, $3, $4, 'APPROVE', 'ok')`,
          `d-${actorId ?? 'none'}-${actorName ?? 'none'}`,
          item.id,
          actorId,
          actorName,
        ),
      );
    for (const refused of [await insert(userId, null), await insert(null, 'Mod')])
      expect(String(refused)).toContain("records its actor's name and role");
    expect(await db.decision.count({ where: { itemId: item.id } })).toBe(0);
  });

  it('stores hash bank entries and finds them by hash', async () => {
    const hash = 'ab'.repeat(32);
    await db.hashBankEntry.create({ data: { hash, label: 'CUSTOM', source: 'test' } });
    const found = await db.hashBankEntry.findMany({ where: { hash } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ algorithm: 'blockhash-256', label: 'CUSTOM' });
  });
});
