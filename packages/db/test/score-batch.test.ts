// A scoring worker's batch of verdicts (`scoreContentItems`, one transaction of set-based SQL) on
// both databases: every verdict recorded, a stale one skipped without touching the others, and
// the same rows (item, scores, decision, webhook event and delivery) as the typed client's
// one-transaction-per-item writes that it replaced (kept below as the reference).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { generateApiKey } from '../src/api-keys.js';
import type { Db } from '../src/client.js';
import {
  scoreContentItem,
  scoreContentItems,
  topOfScores,
  webhookEventOf,
  type PolicyVerdict,
} from '../src/content-items.js';
import { publicSubmissionById } from '../src/submission-reads.js';
import { setWebhookEndpoint } from '../src/webhooks.js';
import { STATUS_AFTER_POLICY } from '@ganmod/moderation/contract';
import { PROVIDERS, useMigratedDatabase } from './helpers.js';

const verdict = (action: PolicyVerdict['action'], n: number): PolicyVerdict => ({
  action,
  policyVersion: 'batch-1',
  reasons: [{ detector: 'caption-spam', category: 'spam', score: n / 10, action }],
  scores: [
    {
      detector: 'caption-spam',
      score: n / 10,
      label: 'spam',
      reason: `words ${n}`,
      details: { words: n, nested: { ok: true } },
      detectorModelId: null,
    },
    {
      detector: 'explicit-image',
      score: 1,
      label: 'clean',
      reason: 'skin 0',
      details: {},
      detectorModelId: null,
    },
  ],
  reasonCode: `policy.${action.toLowerCase()}`,
  note: n % 2 === 0 ? `caption-spam: words ${n}` : null,
});

const refusal: PolicyVerdict = {
  action: 'REVIEW',
  policyVersion: 'batch-1',
  reasons: [{ detector: 'input', category: 'detector-error', score: 1, label: 'image_corrupt' }],
  scores: [],
  reasonCode: 'input.image_corrupt',
  note: 'the image does not decode',
};

/** The writes `scoreContentItem` made before the batch form, through the typed client. */
async function referenceScore(
  db: Db,
  item: { id: string; version: number },
  v: PolicyVerdict,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.contentItem.updateMany({
      where: { id: item.id, status: 'PENDING', version: item.version },
      data: {
        status: STATUS_AFTER_POLICY[v.action],
        policyAction: v.action,
        policyVersion: v.policyVersion,
        reasons: v.reasons,
        ...topOfScores(v.scores, v.reasons),
        scoringBy: null,
        scoringUntil: null,
        version: { increment: 1 },
      },
    });
    if (count === 0) return false;
    await tx.detectorScore.deleteMany({ where: { itemId: item.id } });
    if (v.scores.length > 0)
      await tx.detectorScore.createMany({
        data: v.scores.map((s) => ({ itemId: item.id, ...s })),
      });
    // The decision-log row and its webhook event, as recordDecision and enqueueSubmissionEvent
    // wrote them.
    const decision = await tx.decision.create({
      data: {
        itemId: item.id,
        actorId: null,
        actorName: null,
        actorRole: null,
        action: v.action,
        reasonCode: v.reasonCode,
        note: v.note ?? null,
      },
    });
    const now = decision.createdAt;
    const owner = await tx.contentItem.findUniqueOrThrow({
      where: { id: item.id },
      select: {
        submittedByKey: {
          select: { revokedAt: true, webhookEndpoint: { select: { id: true, enabled: true } } },
        },
      },
    });
    const endpoint = owner.submittedByKey?.webhookEndpoint;
    if (owner.submittedByKey?.revokedAt || !endpoint?.enabled) return true;
    const data = await publicSubmissionById(tx, item.id);
    const last = await tx.webhookEvent.findFirst({
      where: { itemId: item.id },
      orderBy: { sequence: 'desc' },
      select: { sequence: true },
    });
    const sequence = (last?.sequence ?? 0) + 1;
    const type = webhookEventOf({ actorId: null, reasonCode: v.reasonCode });
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    await tx.webhookEvent.create({
      data: {
        id,
        itemId: item.id,
        type,
        sequence,
        payload: JSON.stringify({ type, timestamp: now.toISOString(), data }),
        createdAt: now,
      },
    });
    await tx.webhookDelivery.create({
      data: {
        eventId: id,
        endpointId: endpoint.id,
        itemId: item.id,
        sequence,
        nextAttemptAt: now,
        roundStartedAt: now,
        createdAt: now,
      },
    });
    return true;
  });
}

describe.each(PROVIDERS)('a batch of verdicts on %s', (provider) => {
  const t = useMigratedDatabase(provider);

  async function key(name: string, hook: boolean) {
    const admin = await t.db.user.upsert({
      where: { id: 'batch-admin' },
      create: { id: 'batch-admin', name: 'Ada', email: 'batch@x.test', role: 'ADMIN' },
      update: {},
    });
    const { prefix, hash } = generateApiKey();
    const k = await t.db.apiKey.create({
      data: { name, prefix, hash, createdById: admin.id },
    });
    if (hook) await setWebhookEndpoint(t.db, k.id, `https://${name}.example/hooks`);
    return k.id;
  }
  const item = (keyId: string | null, externalId: string) =>
    t.db.contentItem.create({
      data: { externalId, submittedByKeyId: keyId, scoringBy: 'w', scoringUntil: new Date() },
    });

  /** Everything one item's verdict wrote, without ids and timestamps. */
  async function written(itemId: string) {
    const row = await t.db.contentItem.findUniqueOrThrow({
      where: { id: itemId },
      include: {
        scores: { orderBy: { detector: 'asc' } },
        decisions: true,
        webhookEvents: { orderBy: { sequence: 'asc' }, include: { deliveries: true } },
      },
    });
    return {
      status: row.status,
      policyAction: row.policyAction,
      policyVersion: row.policyVersion,
      reasons: row.reasons,
      topScore: row.topScore,
      topDetector: row.topDetector,
      topCategory: row.topCategory,
      scoringBy: row.scoringBy,
      scoringUntil: row.scoringUntil,
      version: row.version,
      scores: row.scores.map(({ id: _i, itemId: _t, createdAt: _c, ...s }) => s),
      decisions: row.decisions.map(({ id: _i, itemId: _t, createdAt, ...d }) => ({
        ...d,
        createdAt: createdAt.getTime() > 0,
      })),
      events: row.webhookEvents.map((e) => {
        const body = JSON.parse(e.payload) as {
          type: string;
          timestamp: string;
          data: Record<string, unknown> & { decisions: { at: string }[]; verdict: { at: string } };
        };
        // The earlier event the test wrote has no body.
        const seeded = e.payload === '{}';
        if (!seeded) expect(body.timestamp).toBe(e.createdAt.toISOString());
        return {
          type: e.type,
          sequence: e.sequence,
          body: seeded
            ? null
            : {
                type: body.type,
                data: {
                  ...body.data,
                  id: undefined,
                  externalId: undefined,
                  createdAt: undefined,
                  updatedAt: undefined,
                  decisions: body.data.decisions.map((d) => ({ ...d, at: undefined })),
                  verdict: { ...body.data.verdict, at: undefined },
                },
              },
          deliveries: e.deliveries.map((d) => ({
            status: d.status,
            sequence: d.sequence,
            itemId: d.itemId === e.itemId,
            attempts: d.attempts,
            due: d.nextAttemptAt.getTime() === e.createdAt.getTime(),
            round: d.roundStartedAt.getTime() === e.createdAt.getTime(),
            leaseOwner: d.leaseOwner,
          })),
        };
      }),
    };
  }

  it('records every verdict of a batch, with the rows one call per item writes', async () => {
    const hooked = await key('hooked', true);
    const quiet = await key('quiet', false);
    const owners = [hooked, hooked, quiet, null, hooked];
    const verdicts = [
      verdict('ALLOW', 1),
      verdict('BLOCK', 2),
      verdict('REVIEW', 3),
      verdict('ALLOW', 4),
      refusal,
    ];
    const batch = await Promise.all(owners.map((k, i) => item(k, `batch-${i}`)));
    const single = await Promise.all(owners.map((k, i) => item(k, `single-${i}`)));
    // An earlier score (replaced) and an earlier event (the next number follows it) on one item.
    for (const it of [batch[0]!, single[0]!]) {
      await t.db.detectorScore.create({
        data: { itemId: it.id, detector: 'caption-spam', score: 0.01, label: 'old' },
      });
      const id = `msg_${randomUUID().replaceAll('-', '')}`;
      await t.db.webhookEvent.create({
        data: { id, itemId: it.id, type: 'submission.scored', sequence: 1, payload: '{}' },
      });
    }
    const recorded = await scoreContentItems(
      t.db,
      batch.map((it, i) => ({ item: { id: it.id, version: 0 }, verdict: verdicts[i]! })),
    );
    expect(recorded).toEqual([true, true, true, true, true]);
    for (const [i, it] of single.entries())
      expect(await referenceScore(t.db, { id: it.id, version: 0 }, verdicts[i]!)).toBe(true);
    for (let i = 0; i < owners.length; i++) {
      const got = await written(batch[i]!.id);
      expect(got, `item ${i}`).toEqual(await written(single[i]!.id));
      expect(got.version).toBe(1);
      expect(got.decisions).toHaveLength(1);
    }
    const first = await written(batch[0]!.id);
    expect(first.scores.map((s) => s.label)).toEqual(['spam', 'clean']);
    expect(first.events.map((e) => [e.type, e.sequence])).toEqual([
      ['submission.scored', 1],
      ['submission.scored', 2],
    ]);
    expect((await written(batch[4]!.id)).events.map((e) => e.type)).toEqual(['submission.refused']);
    expect((await written(batch[2]!.id)).events).toEqual([]);
    expect((await written(batch[3]!.id)).events).toEqual([]);
  });

  it('skips a stale version (and a repeat of an item) without touching the others', async () => {
    const hooked = await key('stale', true);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((x) => item(hooked, `stale-${x}`)));
    const recorded = await scoreContentItems(t.db, [
      { item: { id: a!.id, version: 0 }, verdict: verdict('BLOCK', 5) },
      { item: { id: b!.id, version: 3 }, verdict: verdict('BLOCK', 6) },
      { item: { id: c!.id, version: 0 }, verdict: verdict('ALLOW', 7) },
      { item: { id: a!.id, version: 0 }, verdict: verdict('ALLOW', 8) },
    ]);
    expect(recorded).toEqual([true, false, true, false]);
    const stale = await written(b!.id);
    expect(stale).toMatchObject({ status: 'PENDING', version: 0, scoringBy: 'w' });
    expect([stale.scores, stale.decisions, stale.events]).toEqual([[], [], []]);
    const first = await written(a!.id);
    expect(first).toMatchObject({ status: 'BLOCKED', version: 1, policyAction: 'BLOCK' });
    expect(first.decisions.map((d) => d.reasonCode)).toEqual(['policy.block']);
    expect(first.events.map((e) => e.sequence)).toEqual([1]);
    expect(await written(c!.id)).toMatchObject({ status: 'ALLOWED', version: 1 });
    // The one-item form says the same about a stale version, and writes nothing.
    expect(await scoreContentItem(t.db, { id: c!.id, version: 0 }, verdict('BLOCK', 9))).toBe(
      false,
    );
    expect(await scoreContentItems(t.db, [])).toEqual([]);
  });

  it('refuses a verdict action outside the vocabulary before writing anything', async () => {
    const x = await item(null, 'bad-action');
    await expect(
      scoreContentItems(t.db, [
        {
          item: { id: x.id, version: 0 },
          verdict: { ...verdict('ALLOW', 1), action: 'NOPE' as 'ALLOW' },
        },
      ]),
    ).rejects.toThrow(/unknown value 'NOPE'/);
    expect(await written(x.id)).toMatchObject({ status: 'PENDING', version: 0 });
  });
});
