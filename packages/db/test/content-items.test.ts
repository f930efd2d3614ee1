// The content item's state machine on both databases: every transition, the races each one
// settles, and the decision log it writes (from one function only).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { connectDb } from '../src/client.js';
import {
  claimContentItem,
  claimNextContentItem,
  decideContentItem,
  releaseContentItemClaim,
  scoreContentItem,
  submitContentItem,
  type PolicyVerdict,
} from '../src/content-items.js';
import { migrate } from '../src/migrate/index.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

const verdict = (action: PolicyVerdict['action']): PolicyVerdict => ({
  action,
  policyVersion: 'test-1',
  reasons: [{ detector: 'caption-spam', category: 'spam', score: 0.7, action }],
  scores: [
    {
      detector: 'caption-spam',
      score: 0.7,
      label: 'spam',
      reason: 'buy now',
      details: { words: 2 },
      detectorModelId: null,
    },
  ],
  reasonCode: `policy.${action.toLowerCase()}`,
  note: 'caption-spam: buy now',
});

describe.each(PROVIDERS)('content item lifecycle on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  let keyId: string;
  const users = { ann: '', bob: '' };
  let n = 0;

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    db = await connectDb(database.url);
    for (const [name, role] of [
      ['ann', 'MODERATOR'],
      ['bob', 'ADMIN'],
    ] as const) {
      users[name] = (
        await db.user.create({ data: { id: name, name: `${name} M`, email: `${name}@x.y`, role } })
      ).id;
    }
    keyId = (
      await db.apiKey.create({
        data: { name: 'k', prefix: 'p', hash: 'h', createdById: users.bob },
      })
    ).id;
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  const submission = (externalId = `ext-${n++}`, caption: string | null = 'hello') => ({
    apiKeyId: keyId,
    externalId,
    caption,
    sha256: 'a'.repeat(64),
    mime: 'image/png',
    bytes: 10,
  });
  const store = () => Promise.resolve('uploads/x.png');

  /** A PENDING item scored REVIEW: what a moderator finds in the queue. */
  async function inReview() {
    const r = await submitContentItem(db, submission(), store);
    if (r.outcome !== 'created') throw new Error(r.outcome);
    expect(await scoreContentItem(db, { id: r.item.id, version: 0 }, verdict('REVIEW'))).toBe(true);
    return db.contentItem.findUniqueOrThrow({ where: { id: r.item.id } });
  }

  it('submits once per key and externalId, even when the same submission races', async () => {
    const input = submission('race');
    let stored = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        submitContentItem(db, input, () => {
          stored++;
          return store();
        }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'existing')).toHaveLength(5);
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(await db.contentItem.count({ where: { externalId: 'race' } })).toBe(1);
    const item = await db.contentItem.findFirstOrThrow({ where: { externalId: 'race' } });
    expect(item).toMatchObject({ status: 'PENDING', imagePath: 'uploads/x.png', version: 0 });

    const other = await submitContentItem(db, { ...input, caption: 'other' }, store);
    expect(other).toEqual({
      outcome: 'conflict',
      message: "externalId 'race' was already submitted by this key with a different caption",
    });
  });

  it('records the policy verdict once: status, scores and a log entry without an actor', async () => {
    const r = await submitContentItem(db, submission(), store);
    if (r.outcome !== 'created') throw new Error(r.outcome);
    const written = await Promise.all([
      scoreContentItem(db, { id: r.item.id, version: 0 }, verdict('BLOCK')),
      scoreContentItem(db, { id: r.item.id, version: 0 }, verdict('ALLOW')),
    ]);
    expect(written.filter(Boolean)).toHaveLength(1);
    const item = await db.contentItem.findUniqueOrThrow({
      where: { id: r.item.id },
      include: { scores: true, decisions: true },
    });
    const winner = written[0] ? 'BLOCK' : 'ALLOW';
    expect(item).toMatchObject({
      status: winner === 'BLOCK' ? 'BLOCKED' : 'ALLOWED',
      policyAction: winner,
      policyVersion: 'test-1',
      version: 1,
      // The queue's keys, written with the scores.
      topScore: 0.7,
      topDetector: 'caption-spam',
      topCategory: 'spam',
    });
    expect(item.scores).toMatchObject([{ detector: 'caption-spam', score: 0.7, label: 'spam' }]);
    expect(item.decisions).toMatchObject([
      {
        actorId: null,
        actorName: null,
        actorRole: null,
        action: winner,
        reasonCode: `policy.${winner.toLowerCase()}`,
        note: 'caption-spam: buy now',
      },
    ]);
    // Scored items are not PENDING any more: a late worker writes nothing.
    expect(await scoreContentItem(db, { id: r.item.id, version: 1 }, verdict('REVIEW'))).toBe(
      false,
    );
    expect(await db.decision.count({ where: { itemId: r.item.id } })).toBe(1);
  });

  it('keeps the top score of several detectors on the item; none before scoring', async () => {
    const r = await submitContentItem(db, submission(), store);
    if (r.outcome !== 'created') throw new Error(r.outcome);
    const top = { topScore: true, topDetector: true, topCategory: true } as const;
    expect(
      await db.contentItem.findUniqueOrThrow({ where: { id: r.item.id }, select: top }),
    ).toEqual({ topScore: 0, topDetector: null, topCategory: null });
    const several = verdict('REVIEW');
    const score = (detector: string, value: number) => ({
      ...several.scores[0]!,
      detector,
      score: value,
    });
    several.scores = [
      score('caption-spam', 0.4),
      score('pdq-near-duplicate', 0.97),
      score('nsfw-explicit', 0.6),
    ];
    expect(await scoreContentItem(db, { id: r.item.id, version: 0 }, several)).toBe(true);
    expect(
      await db.contentItem.findUniqueOrThrow({ where: { id: r.item.id }, select: top }),
    ).toEqual({ topScore: 0.97, topDetector: 'pdq-near-duplicate', topCategory: 'near-duplicate' });
  });

  it('lets one of two moderators claim an item, and the other see who holds it', async () => {
    const item = await inReview();
    const now = new Date();
    const [a, b] = await Promise.all([
      claimContentItem(db, item.id, users.ann, { seconds: 600, now }),
      claimContentItem(db, item.id, users.bob, { seconds: 600, now }),
    ]);
    const outcomes = [a.outcome, b.outcome].sort();
    expect(outcomes).toEqual(['CLAIMED', 'HELD']);
    const held = a.outcome === 'HELD' ? a : b;
    const holder = a.outcome === 'CLAIMED' ? 'ann M' : 'bob M';
    expect(held).toMatchObject({ outcome: 'HELD', holderName: holder });
    // Released, the other can claim it; an expired claim can be taken over.
    const holderId = holder === 'ann M' ? users.ann : users.bob;
    const otherId = holderId === users.ann ? users.bob : users.ann;
    await releaseContentItemClaim(db, item.id, otherId); // not theirs: no-op
    expect((await claimContentItem(db, item.id, otherId, { seconds: 600, now })).outcome).toBe(
      'HELD',
    );
    await releaseContentItemClaim(db, item.id, holderId);
    expect((await claimContentItem(db, item.id, otherId, { seconds: 600, now })).outcome).toBe(
      'CLAIMED',
    );
    const later = new Date(now.getTime() + 11 * 60_000);
    expect(
      (await claimContentItem(db, item.id, holderId, { seconds: 600, now: later })).outcome,
    ).toBe('CLAIMED');
    expect(await claimContentItem(db, 'no-such-item', holderId, { seconds: 600 })).toEqual({
      outcome: 'NOT_FOUND',
    });
  });

  it('leases an item for seconds: renewed by its holder, free to others once it lapses', async () => {
    const item = await inReview();
    const t0 = new Date();
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const first = await claimContentItem(db, item.id, users.ann, { seconds: 60, now: t0 });
    expect(first).toEqual({ outcome: 'CLAIMED', claimExpiresAt: at(60) });
    // The open tab's heartbeat at 40 s renews the lease to 100 s: at 90 s it is still held.
    expect(await claimContentItem(db, item.id, users.ann, { seconds: 60, now: at(40) })).toEqual({
      outcome: 'CLAIMED',
      claimExpiresAt: at(100),
    });
    expect(
      await claimContentItem(db, item.id, users.bob, { seconds: 60, now: at(90) }),
    ).toMatchObject({ outcome: 'HELD', holderName: 'ann M', claimExpiresAt: at(100) });
    // No heartbeat since (the tab died without pagehide): after the lease, another takes it.
    expect(
      (await claimContentItem(db, item.id, users.bob, { seconds: 60, now: at(101) })).outcome,
    ).toBe('CLAIMED');
  });

  it('never hands two moderators the same item while a lease is live', async () => {
    const prefix = `${provider}-next-`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await submitContentItem(db, submission(`${prefix}${i}`), store);
      if (r.outcome !== 'created') throw new Error(r.outcome);
      await scoreContentItem(db, { id: r.item.id, version: 0 }, verdict('REVIEW'));
      ids.push(r.item.id);
    }
    const query = {
      where: { externalId: { startsWith: prefix } },
      orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }],
    };
    const now = new Date();
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        claimNextContentItem(db, users.ann, query, { seconds: 60, now }),
        claimNextContentItem(db, users.bob, query, { seconds: 60, now }),
      ]);
      expect(a).not.toBeNull();
      expect(b).not.toBeNull();
      expect(a!.itemId).not.toBe(b!.itemId);
      const rows = await db.contentItem.findMany({
        where: { id: { in: [a!.itemId, b!.itemId] } },
        select: { id: true, claimedById: true },
      });
      expect(new Map(rows.map((r) => [r.id, r.claimedById]))).toEqual(
        new Map([
          [a!.itemId, users.ann],
          [b!.itemId, users.bob],
        ]),
      );
      // Each asks again while holding: they get their own item back, not the other's.
      expect((await claimNextContentItem(db, users.ann, query, { seconds: 60, now }))?.itemId).toBe(
        a!.itemId,
      );
      await releaseContentItemClaim(db, a!.itemId, users.ann);
      await releaseContentItemClaim(db, b!.itemId, users.bob);
    }
    // With three of four held by another moderator, ann gets the fourth; with all held, nothing.
    for (const id of ids.slice(0, 3)) {
      await claimContentItem(db, id, users.bob, { seconds: 60, now });
    }
    expect(await claimNextContentItem(db, users.ann, query, { seconds: 60, now })).toMatchObject({
      itemId: ids[3],
    });
    expect(await claimNextContentItem(db, users.bob, query, { seconds: 60, now })).toMatchObject({
      itemId: ids[0],
    });
    // Once bob's leases lapse, ann can be handed the first one again.
    expect(
      (
        await claimNextContentItem(db, users.ann, query, {
          seconds: 60,
          now: new Date(now.getTime() + 61_000),
        })
      )?.itemId,
    ).toBe(ids[0]);
  });

  it('records exactly one of two racing decisions, with the actor as they were then', async () => {
    const item = await inReview();
    const [a, b] = await Promise.all([
      decideContentItem(
        db,
        {
          itemId: item.id,
          version: item.version,
          action: 'APPROVE',
          reasonCode: 'no-violation',
          note: '  fine  ',
        },
        users.ann,
      ),
      decideContentItem(
        db,
        {
          itemId: item.id,
          version: item.version,
          action: 'REMOVE',
          reasonCode: 'spam',
        },
        users.bob,
      ),
    ]);
    const decided = [a, b].filter((r) => r.outcome === 'DECIDED');
    expect(decided).toHaveLength(1);
    const loser = a.outcome === 'DECIDED' ? b : a;
    expect(loser).toMatchObject({ outcome: 'ALREADY_DECIDED' });
    const byAnn = a.outcome === 'DECIDED';
    const after = await db.contentItem.findUniqueOrThrow({
      where: { id: item.id },
      include: { decisions: { orderBy: { createdAt: 'asc' } } },
    });
    expect(after).toMatchObject({
      status: byAnn ? 'APPROVED' : 'REMOVED',
      version: item.version + 1,
      claimedById: null,
    });
    expect(after.decisions.map((d) => [d.actorId, d.actorName, d.actorRole, d.note])).toEqual([
      [null, null, null, 'caption-spam: buy now'],
      byAnn ? ['ann', 'ann M', 'MODERATOR', 'fine'] : ['bob', 'bob M', 'ADMIN', null],
    ]);
    if (loser.outcome === 'ALREADY_DECIDED')
      expect(loser.last?.actorName).toBe(byAnn ? 'ann M' : 'bob M');
    // A rename later does not rewrite the log.
    await db.user.update({ where: { id: users.ann }, data: { name: 'Ann Renamed' } });
    const kept = await db.decision.findMany({ where: { itemId: item.id, actorId: users.ann } });
    expect(kept.every((d) => d.actorName === 'ann M')).toBe(true);
    await db.user.update({ where: { id: users.ann }, data: { name: 'ann M' } });
  });

  it('refuses a stale version, a held item and an unknown reason, writing nothing', async () => {
    const item = await inReview();
    const decide = (version: number, actor: string, reasonCode = 'legal') =>
      decideContentItem(db, { itemId: item.id, version, action: 'ESCALATE', reasonCode }, actor);
    expect(await decide(item.version, users.ann, 'spam')).toEqual({ outcome: 'INVALID_REASON' });
    expect(await decide(item.version + 5, users.ann)).toEqual({ outcome: 'STALE', last: null });
    await claimContentItem(db, item.id, users.bob, { seconds: 600 });
    expect(await decide(item.version, users.ann)).toEqual({ outcome: 'HELD', holderName: 'bob M' });
    expect(await db.decision.count({ where: { itemId: item.id } })).toBe(1);
    // The holder escalates; escalated items stay reviewable and can be decided again.
    expect((await decide(item.version, users.bob)).outcome).toBe('DECIDED');
    const escalated = await db.contentItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(escalated).toMatchObject({ status: 'ESCALATED', claimedById: null });
    const again = await decideContentItem(
      db,
      { itemId: item.id, version: escalated.version, action: 'REMOVE', reasonCode: 'other' },
      users.ann,
    );
    expect(again.outcome).toBe('DECIDED');
    expect(
      await decideContentItem(
        db,
        { itemId: 'missing', version: 0, action: 'REMOVE', reasonCode: 'other' },
        users.ann,
      ),
    ).toEqual({ outcome: 'NOT_FOUND' });
  });
});

describe('the decision log has one writer', () => {
  it('no source outside content-items.ts creates decision rows', () => {
    const root = join(import.meta.dirname, '../../..');
    const sources = ['apps/dashboard/src', 'apps/trainer/src', 'packages/db/src'].flatMap((dir) =>
      walk(join(root, dir)),
    );
    const writers = sources
      .filter((f) => /decision\.create|decisions:\s*\{\s*create/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(writers).toEqual(['packages/db/src/content-items.ts']);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'generated' || name === 'node_modules') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}
