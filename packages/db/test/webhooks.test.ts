// The webhook outbox and delivery bookkeeping on both databases: events exist exactly when the
// change does (same transaction), in sequence per submission, only for keys with an enabled
// endpoint; secret rotation signs with both secrets for the grace period; an endpoint failing N
// times in a row is disabled with the reason; replay sends the same event again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateApiKey } from '../src/api-keys.js';
import type { Db } from '../src/client.js';
import { connectDb } from '../src/client.js';
import { decideContentItem, scoreContentItem } from '../src/content-items.js';
import { migrate } from '../src/migrate/index.js';
import {
  addressScope,
  enqueueSubmissionEvent,
  replayWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpoint,
  signingSecrets,
  webhookUrlProblem,
} from '../src/webhooks.js';
import {
  claimWebhookDeliveries,
  recordDeliveryAttempt,
  recordDeliveryAttempts,
} from '../src/webhook-deliveries.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

const verdict = (reasonCode = 'policy.block') => ({
  action: 'BLOCK' as const,
  policyVersion: 'policy-1',
  reasons: [{ detector: 'caption-spam', category: 'spam', score: 0.9, label: 'spam' }],
  scores: [],
  reasonCode,
  note: null,
});

describe('callback URLs', () => {
  it('https anywhere; http only to this machine and only with the development setting', () => {
    expect(webhookUrlProblem('https://platform.example/hooks', false)).toBeNull();
    expect(webhookUrlProblem('http://platform.example/hooks', true)).toMatch(/must use https/);
    expect(webhookUrlProblem('http://localhost:9000/h', false)).toMatch(/GANMOD_WEBHOOK_HTTP_DEV/);
    expect(webhookUrlProblem('http://127.0.0.1:9000/h', true)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:9000/h', true)).toBeNull();
    expect(webhookUrlProblem('ftp://platform.example/', true)).toMatch(/not ftp/);
    expect(webhookUrlProblem('https://u:p@platform.example/', true)).toMatch(/credentials/);
    expect(webhookUrlProblem('not a url', true)).toMatch(/not a URL/);
  });

  it('refuses https to this machine and internal networks (SSRF), unless developing locally', () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'https://10.1.2.3/h',
      'https://172.20.0.5/h',
      'https://192.168.1.1/h',
      'https://100.64.0.1/h',
      'https://127.0.0.1/h',
      'https://localhost/h',
      'https://[::1]/h',
      'https://[fd00::1]/h',
      'https://[fe80::1]/h',
      'https://[::ffff:10.0.0.1]/h',
      'https://0.0.0.0/h',
    ])
      expect(webhookUrlProblem(url, false), url).toMatch(/must reach a public host/);
    expect(webhookUrlProblem('https://localhost:9443/h', true)).toBeNull();
    expect(webhookUrlProblem('https://10.1.2.3/h', true)).toMatch(/public host/);
    expect(webhookUrlProblem('https://8.8.8.8/h', false)).toBeNull();
    expect(webhookUrlProblem('https://[2606:4700::1111]/h', false)).toBeNull();
  });
});

describe('addressScope (what a resolved callback host may be)', () => {
  it('tells loopback, internal networks and public addresses apart', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'])
      expect(addressScope(a), a).toBe('loopback');
    for (const a of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      'fd00::1',
      'fe80::1',
      '::',
      '::ffff:10.0.0.1',
      '224.0.0.1',
    ])
      expect(addressScope(a), a).toBe('internal');
    for (const a of ['8.8.8.8', '93.184.216.34', '2606:4700::1111'])
      expect(addressScope(a), a).toBe('public');
    expect(() => addressScope('example.com')).toThrow(/not an IP address/);
  });
});

describe.each(PROVIDERS)('webhook outbox (%s)', (provider) => {
  let database: TestDatabase;
  let db: Db;
  let adminId: string;

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    db = await connectDb(database.url);
    adminId = (
      await db.user.create({
        data: { id: 'admin', name: 'Ada', email: 'ada@x.test', role: 'ADMIN' },
      })
    ).id;
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  async function key(name: string, url?: string) {
    const { prefix, hash } = generateApiKey();
    const k = await db.apiKey.create({ data: { name, prefix, hash, createdById: adminId } });
    if (url) await setWebhookEndpoint(db, k.id, url);
    return k.id;
  }
  const item = (keyId: string | null, externalId: string) =>
    db.contentItem.create({ data: { externalId, submittedByKeyId: keyId } });

  it('tells a revoked key nothing more', async () => {
    const keyId = await key('revoked', 'https://revoked.example/hooks');
    const before = await item(keyId, 'before-revoke');
    await scoreContentItem(db, { id: before.id, version: 0 }, verdict('policy.review'));
    await db.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    const after = await item(keyId, 'after-revoke');
    await scoreContentItem(db, { id: after.id, version: 0 }, verdict('policy.review'));
    expect(await db.webhookEvent.count({ where: { itemId: before.id } })).toBe(1);
    expect(await db.webhookEvent.count({ where: { itemId: after.id } })).toBe(0);
    // The event written before the revocation is not delivered after it either.
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { apiKeyId: keyId } });
    const claimed = await claimWebhookDeliveries(db, {
      workerId: 'w-revoked',
      limit: 50,
      leaseMs: 60_000,
      perEndpoint: 8,
    });
    expect(claimed.filter((d) => d.endpointId === endpoint.id)).toEqual([]);
    expect(await db.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(1);
  });

  it('writes scored, refused and decided events with the change, numbered per submission', async () => {
    const keyId = await key('with-hook', 'https://platform.example/hooks');
    const a = await item(keyId, 'a');
    expect(await scoreContentItem(db, { id: a.id, version: 0 }, verdict('policy.review'))).toBe(
      true,
    );
    const b = await item(keyId, 'b');
    await scoreContentItem(db, { id: b.id, version: 0 }, verdict('input.image_corrupt'));
    await db.contentItem.update({ where: { id: a.id }, data: { status: 'IN_REVIEW' } });
    const decided = await decideContentItem(
      db,
      { itemId: a.id, version: 1, action: 'APPROVE', reasonCode: 'no-violation' },
      adminId,
    );
    expect(decided.outcome).toBe('DECIDED');
    const events = await db.webhookEvent.findMany({
      orderBy: [{ itemId: 'asc' }, { sequence: 'asc' }],
    });
    const of = (id: string) => events.filter((e) => e.itemId === id);
    expect(of(a.id).map((e) => [e.type, e.sequence])).toEqual([
      ['submission.scored', 1],
      ['submission.decided', 2],
    ]);
    expect(of(b.id).map((e) => e.type)).toEqual(['submission.refused']);
    const body = JSON.parse(of(a.id)[1]!.payload) as { type: string; data: { status: string } };
    expect(body).toMatchObject({ type: 'submission.decided', data: { status: 'APPROVED' } });
    expect(of(a.id)[1]!.payload).not.toContain('Ada');
    expect(await db.webhookDelivery.count({ where: { itemId: a.id, status: 'PENDING' } })).toBe(2);
  });

  it('writes nothing when the change does not happen, or the key has no enabled endpoint', async () => {
    const keyId = await key('rollback', 'https://platform.example/hooks');
    const a = await item(keyId, 'gone');
    // A stale version: the change is refused, so no event.
    expect(await scoreContentItem(db, { id: a.id, version: 5 }, verdict())).toBe(false);
    // The decision transaction fails (unknown actor): nothing of it is written, event included.
    await db.contentItem.update({ where: { id: a.id }, data: { status: 'IN_REVIEW' } });
    await expect(
      decideContentItem(
        db,
        { itemId: a.id, version: 0, action: 'REMOVE', reasonCode: 'spam' },
        'no-such-user',
      ),
    ).rejects.toThrow();
    expect(await db.webhookEvent.count({ where: { itemId: a.id } })).toBe(0);
    const noHook = await item(await key('no-hook'), 'x');
    await scoreContentItem(db, { id: noHook.id, version: 0 }, verdict());
    const keyless = await item(null, 'y');
    await scoreContentItem(db, { id: keyless.id, version: 0 }, verdict());
    expect(
      await db.webhookEvent.count({ where: { itemId: { in: [noHook.id, keyless.id] } } }),
    ).toBe(0);
  });

  it('rotation: both secrets sign during the grace period, then only the new one', async () => {
    const keyId = await key('rotate', 'https://platform.example/hooks');
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { apiKeyId: keyId } });
    expect(before.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const now = new Date();
    const after = await rotateWebhookSecret(db, keyId, now, 60_000);
    expect(after?.secret).not.toBe(before.secret);
    expect(signingSecrets(after!, now)).toEqual([after!.secret, before.secret]);
    expect(signingSecrets(after!, new Date(now.getTime() + 61_000))).toEqual([after!.secret]);
    expect(await rotateWebhookSecret(db, await key('none'))).toBeNull();
  });

  it('disables an endpoint after N failures in a row, with the reason; replay sends again', async () => {
    const keyId = await key('failing', 'https://platform.example/hooks');
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { apiKeyId: keyId } });
    for (let i = 0; i < 3; i++) {
      const it = await item(keyId, `f${i}`);
      await scoreContentItem(db, { id: it.id, version: 0 }, verdict());
    }
    const claimed = (
      await claimWebhookDeliveries(db, {
        workerId: 'w',
        limit: 10,
        leaseMs: 60_000,
        perEndpoint: 8,
      })
    ).filter((d) => d.endpointId === endpoint.id);
    expect(claimed).toHaveLength(3);
    const failure = { ok: false, statusCode: 503, response: 'down for maintenance' };
    for (const d of claimed) {
      const retryAt = new Date(Date.now() + 60_000);
      expect(
        await recordDeliveryAttempt(db, d, 'w', failure, { retryAt, maxConsecutiveFailures: 3 }),
      ).toBe(true);
    }
    const disabled = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(disabled.enabled).toBe(false);
    expect(disabled.disabledReason).toMatch(/3 failed attempts in a row \(last: HTTP 503\)/);
    // A disabled endpoint's deliveries are not claimed, even when due.
    await db.webhookDelivery.updateMany({
      where: { endpointId: endpoint.id },
      data: { nextAttemptAt: new Date(0) },
    });
    expect(
      (
        await claimWebhookDeliveries(db, {
          workerId: 'w',
          limit: 10,
          leaseMs: 60_000,
          perEndpoint: 8,
        })
      ).filter((d) => d.endpointId === endpoint.id),
    ).toHaveLength(0);
    // Setting the URL again re-enables it; a replay of a FAILED delivery makes it due again.
    await setWebhookEndpoint(db, keyId, 'https://platform.example/hooks2');
    const target = claimed[0]!;
    await db.webhookDelivery.update({ where: { id: target.id }, data: { status: 'FAILED' } });
    expect(await replayWebhookDelivery(db, target.id)).toBe(true);
    const again = await claimWebhookDeliveries(db, {
      workerId: 'w2',
      limit: 10,
      leaseMs: 60_000,
      perEndpoint: 8,
    });
    const replayed = again.find((d) => d.id === target.id);
    expect(replayed).toMatchObject({ eventId: target.eventId, attempts: 0 });
    // Not while w2 is sending it.
    expect(await replayWebhookDelivery(db, target.id)).toBe(false);
    // A worker that lost its lease cannot record over the new holder's.
    expect(
      await recordDeliveryAttempt(
        db,
        target,
        'w',
        { ok: true, statusCode: 200, response: '' },
        {
          retryAt: null,
          maxConsecutiveFailures: 3,
        },
      ),
    ).toBe(false);
  });

  it('claims a batch in one statement: capped per endpoint across workers, in order per submission, expired leases taken over', async () => {
    const keyId = await key('batch', 'https://batch.example/hooks');
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { apiKeyId: keyId } });
    const t0 = new Date(Date.now() + 1000);
    const items = [];
    for (let i = 0; i < 5; i++) {
      const it = await item(keyId, `batch-${i}`);
      await enqueueSubmissionEvent(db, it.id, 'submission.scored', t0);
      items.push(it);
    }
    // The first submission has a second event: not claimable before the first is delivered.
    await enqueueSubmissionEvent(db, items[0]!.id, 'submission.decided', t0);
    const claim = (workerId: string, now: Date, perEndpoint = 3) =>
      claimWebhookDeliveries(db, { workerId, limit: 50, leaseMs: 10_000, perEndpoint, now }).then(
        (claimed) => claimed.filter((d) => d.endpointId === endpoint.id),
      );
    const leases = () =>
      db.webhookDelivery.findMany({
        where: { endpointId: endpoint.id, leaseSlot: { not: null } },
        select: { id: true, leaseSlot: true, leaseOwner: true, sequence: true },
      });

    // Two workers at once: three slots in all, never the same one twice.
    const [a, b] = await Promise.all([claim('w-a', t0), claim('w-b', t0)]);
    expect(a.length + b.length).toBe(3);
    const held = await leases();
    expect(held).toHaveLength(3);
    expect(new Set(held.map((l) => l.leaseSlot))).toEqual(new Set([0, 1, 2]));
    expect(held.every((l) => l.sequence === 1)).toBe(true);
    expect(await claim('w-c', t0)).toEqual([]);

    // Every lease expired (their workers died): another worker takes all three over (the slots
    // the dead leases still hold are freed on the way), then the other two submissions.
    const later = new Date(t0.getTime() + 11_000);
    const takeover = await claim('w-c', later);
    expect(new Set(takeover.map((d) => d.id))).toEqual(new Set(held.map((l) => l.id)));
    expect(new Set((await leases()).map((l) => l.leaseOwner))).toEqual(new Set(['w-c']));
    const ok = { ok: true, statusCode: 200, response: 'ok' };
    const results = await recordDeliveryAttempts(
      db,
      'w-c',
      takeover.map((d) => ({ delivery: d, attempt: ok, retryAt: null, at: later })),
      5,
      later,
    );
    expect(results).toEqual([true, true, true]);
    // A dead worker's late result: its lease is gone, nothing is written.
    expect(
      await recordDeliveryAttempts(
        db,
        'w-a',
        [{ delivery: takeover[0]!, attempt: ok, retryAt: null, at: later }],
        5,
        later,
      ),
    ).toEqual([false]);
    // Then the two submissions not sent yet, and the first one's second event, now that its
    // first was delivered.
    const rest = await claim('w-c', later);
    expect(rest).toHaveLength(3);
    const second = await db.webhookDelivery.findFirstOrThrow({
      where: { itemId: items[0]!.id, sequence: 2 },
    });
    expect(rest.map((d) => d.id)).toContain(second.id);
    expect(new Set((await leases()).map((l) => l.leaseSlot))).toEqual(new Set([0, 1, 2]));

    // A batch with a failure after a success: the endpoint counts one failure in a row.
    const failed = { ok: false, statusCode: 500, response: 'boom' };
    const mixed = await recordDeliveryAttempts(
      db,
      'w-c',
      rest.map((d, i) => ({
        delivery: d,
        attempt: i === rest.length - 1 ? failed : ok,
        retryAt: i === rest.length - 1 ? new Date(later.getTime() + 60_000) : null,
        at: new Date(later.getTime() + i),
      })),
      5,
      later,
    );
    expect(mixed).toEqual([true, true, true]);
    expect(
      (await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } }))
        .consecutiveFailures,
    ).toBe(1);
    expect(await leases()).toEqual([]);
    expect(
      await db.webhookDelivery.count({ where: { endpointId: endpoint.id, status: 'DELIVERED' } }),
    ).toBe(5);
  });

  it('a slot still held by a dead lease is freed for a due delivery', async () => {
    const keyId = await key('stale-slot', 'https://stale.example/hooks');
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { apiKeyId: keyId } });
    const t0 = new Date(Date.now() + 1000);
    const [first, second] = [await item(keyId, 'stale-0'), await item(keyId, 'stale-1')];
    await enqueueSubmissionEvent(db, first.id, 'submission.scored', t0);
    await enqueueSubmissionEvent(db, second.id, 'submission.scored', new Date(t0.getTime() + 1));
    const claim = (workerId: string, now: Date) =>
      claimWebhookDeliveries(db, {
        workerId,
        // Earlier tests' deliveries are due too (11 s ahead, their retries are): claim past them
        // all, or this endpoint's may not make a small batch.
        limit: 1000,
        leaseMs: 10_000,
        perEndpoint: 1,
        now,
      }).then((claimed) => claimed.filter((d) => d.endpointId === endpoint.id));
    const [held] = await claim('w-dead', new Date(t0.getTime() + 1));
    expect(held?.id).toBeDefined();
    // Its worker died and it is not due again for a while, but its row still holds slot 0.
    await db.webhookDelivery.update({
      where: { id: held!.id },
      data: { nextAttemptAt: new Date(t0.getTime() + 3_600_000) },
    });
    const later = new Date(t0.getTime() + 11_000);
    const taken = await claim('w-live', later);
    expect(taken.map((d) => d.id)).toEqual([
      (await db.webhookDelivery.findFirstOrThrow({ where: { itemId: second.id } })).id,
    ]);
    const slots = await db.webhookDelivery.findMany({
      where: { endpointId: endpoint.id, leaseSlot: { not: null } },
      select: { leaseOwner: true, leaseSlot: true },
    });
    expect(slots).toEqual([{ leaseOwner: 'w-live', leaseSlot: 0 }]);
  });
});
