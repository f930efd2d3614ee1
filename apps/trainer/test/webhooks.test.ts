// Webhooks end to end: the outbox written with each change, real worker processes delivering to a
// real HTTP receiver that verifies every signature with `standardwebhooks`, on SQLite and
// PostgreSQL: scored, refused and decided arrive signed; a receiver failing for a while gets every
// event, in order per submission; a worker killed with SIGKILL mid-batch loses nothing.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decideContentItem,
  generateApiKey,
  scoreContentItem,
  setWebhookEndpoint,
  submitContentItem,
  type Db,
} from '@ganmod/db';
import { gridPng } from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Provider, type TestDatabase } from './databases.js';
import { startReceiver, type Receiver, type ReceivedWebhook } from './webhook-receiver.js';
import { startCli, waitFor, type CliProcess } from './worker-process.js';

/** Creates a key with a webhook endpoint at `url`; returns the key id and its secret getter. */
async function keyWithEndpoint(db: Db, adminId: string, name: string, url: string) {
  const { prefix, hash } = generateApiKey();
  const key = await db.apiKey.create({ data: { name, prefix, hash, createdById: adminId } });
  await setWebhookEndpoint(db, key.id, url);
  const secret = async () =>
    (await db.webhookEndpoint.findUniqueOrThrow({ where: { apiKeyId: key.id } })).secret;
  return { keyId: key.id, secret };
}

/** A PENDING item of the key, scored by the policy in-process (what the scorer writes). */
async function scoredItem(db: Db, keyId: string, externalId: string) {
  const item = await db.contentItem.create({
    data: { externalId, caption: `post ${externalId}`, submittedByKeyId: keyId },
  });
  const ok = await scoreContentItem(
    db,
    { id: item.id, version: 0 },
    {
      action: 'REVIEW',
      policyVersion: 'test-policy',
      reasons: [{ detector: 'caption-spam', category: 'spam', score: 0.7, label: 'spam' }],
      scores: [
        {
          detector: 'caption-spam',
          score: 0.7,
          label: 'spam',
          reason: 'looks like spam',
          details: {},
          detectorModelId: null,
        },
      ],
      reasonCode: 'policy.review',
      note: null,
    },
  );
  expect(ok).toBe(true);
  return item;
}

/** Per submission, the accepted events' decision counts: strictly increasing means in order. */
function inOrderPerSubmission(accepted: ReceivedWebhook[]): boolean {
  const last = new Map<string, number>();
  for (const r of accepted) {
    const n = r.payload.data.decisions.length;
    const prev = last.get(r.payload.data.externalId) ?? 0;
    if (n < prev) return false;
    last.set(r.payload.data.externalId, n);
  }
  return true;
}

describe.each<Provider>(['sqlite', 'postgres'])('webhooks on %s', (provider) => {
  let t: TestDatabase;
  let dataDir: string;
  let adminId: string;
  let moderatorId: string;
  let receiver: Receiver | undefined;
  const workers: CliProcess[] = [];
  const env = () => ({
    DATABASE_URL: t.url,
    GANMOD_DATA_DIR: dataDir,
    GANMOD_WEBHOOK_HTTP_DEV: '1',
    GANMOD_BACKEND: 'cpu',
  });
  const worker = (...flags: string[]) => {
    const w = startCli(
      ['worker', '--poll', '200', '--webhook-poll', '50', '--webhook-retry', '100', ...flags],
      env(),
    );
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    t = await createTestDatabase(provider);
    dataDir = mkdtempSync(join(tmpdir(), 'ganmod-webhooks-'));
    mkdirSync(join(dataDir, 'uploads'));
    adminId = (
      await t.db.user.create({
        data: { id: 'admin', name: 'Ada Admin', email: 'ada@x.test', role: 'ADMIN' },
      })
    ).id;
    moderatorId = (
      await t.db.user.create({
        data: { id: 'mod', name: 'Mo Moderator', email: 'mo@x.test', role: 'MODERATOR' },
      })
    ).id;
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await receiver?.close();
    receiver = undefined;
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('submit: submission.scored (and .refused) arrive signed; a decision: submission.decided', async () => {
    let secrets: string[] = [];
    receiver = await startReceiver({ secrets: () => secrets });
    const { keyId, secret } = await keyWithEndpoint(t.db, adminId, 'photos', receiver.url);
    secrets = [await secret()];

    const submit = async (externalId: string, image: Uint8Array) =>
      submitContentItem(
        t.db,
        {
          apiKeyId: keyId,
          externalId,
          caption: 'Sunday at the lake',
          sha256: createHash('sha256').update(image).digest('hex'),
          mime: 'image/png',
          bytes: image.length,
        },
        () => {
          writeFileSync(join(dataDir, 'uploads', `${externalId}.png`), image);
          return Promise.resolve(`uploads/${externalId}.png`);
        },
      );
    const noise = tf.randomUniform<tf.Rank.R4>([1, 32, 32, 1], -1, 1, 'float32', 7);
    const png = gridPng(noise, 1);
    noise.dispose();
    expect((await submit('photo-1', png)).outcome).toBe('created');
    expect((await submit('photo-2', png.slice(0, 60))).outcome).toBe('created');

    worker('--moderation');
    await waitFor('two events', () => Promise.resolve(receiver!.accepted().length >= 2), 90_000);
    const byExternal = (id: string) =>
      receiver!.accepted().filter((r) => r.payload.data.externalId === id);
    const [scored] = byExternal('photo-1');
    expect(scored?.verified).toBe(true);
    expect(scored?.payload.type).toBe('submission.scored');
    expect(scored?.payload.data.policy?.version).toBeTruthy();
    expect(scored?.payload.data.verdict?.by.type).toBe('policy');
    const [refused] = byExternal('photo-2');
    expect(refused?.payload.type).toBe('submission.refused');
    expect(refused?.payload.data.status).toBe('IN_REVIEW');
    expect(refused?.payload.data.verdict?.reasonCode).toMatch(/^input\./);

    const item = await t.db.contentItem.findFirstOrThrow({ where: { externalId: 'photo-2' } });
    const decided = await decideContentItem(
      t.db,
      { itemId: item.id, version: item.version, action: 'REMOVE', reasonCode: 'spam' },
      moderatorId,
    );
    expect(decided.outcome).toBe('DECIDED');
    const event = await waitFor('submission.decided', () =>
      Promise.resolve(byExternal('photo-2').find((r) => r.payload.type === 'submission.decided')),
    );
    expect(event.verified).toBe(true);
    expect(event.payload.data.status).toBe('REMOVED');
    expect(event.payload.data.verdict?.by).toEqual({ type: 'moderator', role: 'MODERATOR' });
    // A role, never the person.
    expect(event.body).not.toMatch(/Mo Moderator|mo@x\.test|"mod"/);
    // Headers and body are the outbox row's: the id is the event's, the body byte for byte.
    const row = await t.db.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(row.payload).toBe(event.body);
    expect(row.sequence).toBe(2);
  }, 180_000);

  it('a receiver failing with 500 for a while gets every event, in order, capped per endpoint', async () => {
    let secrets: string[] = [];
    receiver = await startReceiver({
      secrets: () => secrets,
      status: (n) => (n < 12 ? 500 : 200),
      delayMs: 40,
    });
    const { keyId, secret } = await keyWithEndpoint(t.db, adminId, 'flaky', receiver.url);
    secrets = [await secret()];
    const items = [];
    for (let i = 0; i < 6; i++) items.push(await scoredItem(t.db, keyId, `flaky-${i}`));
    for (const [i, item] of items.entries()) {
      const result = await decideContentItem(
        t.db,
        {
          itemId: item.id,
          version: 1,
          action: i % 2 ? 'APPROVE' : 'REMOVE',
          reasonCode: i % 2 ? 'no-violation' : 'spam',
        },
        moderatorId,
      );
      expect(result.outcome).toBe('DECIDED');
    }
    const events = await t.db.webhookEvent.findMany({
      where: { item: { submittedByKeyId: keyId } },
    });
    expect(events).toHaveLength(12);

    worker('--webhook-concurrency', '2');
    worker('--webhook-concurrency', '2');
    await waitFor(
      'every delivery DELIVERED',
      async () =>
        (await t.db.webhookDelivery.count({
          where: { endpoint: { apiKeyId: keyId }, status: 'DELIVERED' },
        })) === 12 || undefined,
      90_000,
    );
    expect(receiver.received.slice(0, 12).every((r) => r.status === 500)).toBe(true);
    const accepted = receiver.accepted();
    expect(new Set(accepted.map((r) => r.id))).toEqual(new Set(events.map((e) => e.id)));
    expect(accepted.every((r) => r.verified)).toBe(true);
    expect(inOrderPerSubmission(accepted)).toBe(true);
    // No decided event was even tried before its submission's scored event was accepted.
    for (const item of items) {
      const tries = receiver.received.filter((r) => r.payload.data.id === item.id);
      const firstDecided = tries.findIndex((r) => r.payload.type === 'submission.decided');
      const scoredOk = tries.findIndex(
        (r) => r.payload.type === 'submission.scored' && r.status === 200,
      );
      expect(scoredOk).toBeGreaterThanOrEqual(0);
      expect(firstDecided).toBeGreaterThan(scoredOk);
    }
    expect(receiver.maxInFlight()).toBeLessThanOrEqual(2);
    const endpoint = await t.db.webhookEndpoint.findUniqueOrThrow({ where: { apiKeyId: keyId } });
    expect(endpoint).toMatchObject({ enabled: true, consecutiveFailures: 0 });
  }, 180_000);

  it('kill -9 of the delivering worker mid-batch: no event lost, duplicates keep their webhook-id', async () => {
    let secrets: string[] = [];
    receiver = await startReceiver({ secrets: () => secrets, delayMs: 400 });
    const { keyId, secret } = await keyWithEndpoint(t.db, adminId, 'crashy', receiver.url);
    secrets = [await secret()];
    for (let i = 0; i < 16; i++) await scoredItem(t.db, keyId, `crash-${i}`);
    const events = await t.db.webhookEvent.findMany({
      where: { item: { submittedByKeyId: keyId } },
    });
    expect(events).toHaveLength(16);

    const first = worker('--webhook-lease', '2000', '--webhook-timeout', '1000');
    await waitFor('the first worker mid-batch', () => Promise.resolve(receiver!.inFlight() >= 3));
    first.child.kill('SIGKILL');
    await first.exited;
    const leased = await t.db.webhookDelivery.count({
      where: { endpoint: { apiKeyId: keyId }, status: 'PENDING', leaseOwner: { not: null } },
    });
    expect(leased).toBeGreaterThan(0);

    worker('--webhook-lease', '2000', '--webhook-timeout', '1000');
    await waitFor(
      'every delivery DELIVERED',
      async () =>
        (await t.db.webhookDelivery.count({
          where: { endpoint: { apiKeyId: keyId }, status: 'DELIVERED' },
        })) === 16 || undefined,
      90_000,
    );
    const ids = new Set(events.map((e) => e.id));
    expect(new Set(receiver.received.map((r) => r.id))).toEqual(ids);
    expect(receiver.received.length).toBeGreaterThan(16); // the killed worker's batch came again
    for (const r of receiver.received) {
      expect(r.verified).toBe(true);
      expect(r.body).toBe(events.find((e) => e.id === r.id)?.payload);
    }
  }, 180_000);
});
