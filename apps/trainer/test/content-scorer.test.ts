import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '@ganmod/datasets';
import { gridPng } from '@ganmod/gan-core';
import {
  addHashesToBank,
  bankHashesOfImage,
  claimPendingForScoring,
  setBankEntriesDisabled,
} from '@ganmod/db';
import { PHOTO_EDITS, hashToHex, loadSetPhoto, pdqFromBytes, photoSet } from '@ganmod/moderation';
import * as tf from '@tensorflow/tfjs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentScorer } from '../src/scoring/content-scorer.js';
import { createTestDatabase, type Provider, type TestDatabase } from './databases.js';

/** A PNG of 16 real MNIST digits starting at `offset`: a real image with real structure. */
async function digitsPng(offset: number): Promise<Uint8Array> {
  const { dataset } = await loadMnist({ split: 'test', limit: offset + 16 });
  const images = tf.tensor4d(
    dataset.data.slice(offset * 784, (offset + 16) * 784),
    [16, 28, 28, 1],
  );
  try {
    return gridPng(images, 4);
  } finally {
    images.dispose();
  }
}

describe.each<Provider>(['sqlite', 'postgres'])('content scoring on %s', (provider) => {
  let t: TestDatabase;
  let dataDir: string;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    await tf.setBackend('cpu');
    t = await createTestDatabase(provider);
    dataDir = mkdtempSync(join(tmpdir(), 'ganmod-scorer-'));
    mkdirSync(join(dataDir, 'uploads'));
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function submit(externalId: string, caption: string | null, image: Uint8Array | null) {
    const imagePath = image === null ? null : `uploads/${externalId}.png`;
    if (image !== null) writeFileSync(join(dataDir, imagePath!), image);
    return t.db.contentItem.create({ data: { externalId, caption, imagePath } });
  }

  it('scores pending items: verdict, detector scores and one automatic decision each', async () => {
    const banked = await digitsPng(0);
    const admin = await t.db.user.create({
      data: { id: 'admin', name: 'Admin', email: 'a@x.test', role: 'ADMIN' },
    });
    await t.db.hashBankEntry.create({
      data: {
        hash: hashToHex((await pdqFromBytes(banked)).hash),
        algorithm: 'pdq',
        label: 'CUSTOM',
        source: 'test',
        createdById: admin.id,
      },
    });
    const clean = await submit(
      'clean',
      'Sunday morning at the lake with my dog',
      await digitsPng(16),
    );
    const spam = await submit(
      'spam',
      'FREE bitcoin giveaway!!! Click here http://win-crypto.example now, DM me, limited offer',
      null,
    );
    const copy = await submit('copy', null, banked);
    const broken = await submit('broken', 'truncated upload', (await digitsPng(32)).slice(0, 100));

    const scorer = new ContentScorer(t.db, dataDir, log);
    expect(await scorer.scorePending()).toBe(4);
    expect(await scorer.scorePending()).toBe(0);

    const byId = async (id: string) =>
      t.db.contentItem.findUniqueOrThrow({
        where: { id },
        include: { scores: true, decisions: true },
      });
    const c = await byId(clean.id);
    expect(c.status).toBe('ALLOWED');
    expect(c.policyAction).toBe('ALLOW');
    expect(c.scores.map((s) => s.detector).length).toBeGreaterThanOrEqual(3);
    expect(c.decisions).toMatchObject([{ action: 'ALLOW', actorId: null }]);

    const s = await byId(spam.id);
    expect(['IN_REVIEW', 'BLOCKED']).toContain(s.status);
    const spamScore = s.scores.find(
      (x) => x.reason?.toLowerCase().includes('spam') || x.detector.includes('spam'),
    );
    expect(spamScore?.score).toBeGreaterThanOrEqual(0.6);
    expect(s.decisions).toHaveLength(1);

    const d = await byId(copy.id);
    expect(d.status).toBe('IN_REVIEW');
    expect(JSON.stringify(d.reasons)).toMatch(/match:custom/);

    const b = await byId(broken.id);
    expect(b.status).toBe('IN_REVIEW');
    expect(b.decisions[0]?.reasonCode).toMatch(/^input\./);
    for (const item of [c, s, d, b]) expect(item.version).toBe(1);
  });

  it('reads bank changes on the next item, without a restart: labels drive the policy, disabled entries never match', async () => {
    const image = await digitsPng(48);
    const scorer = new ContentScorer(t.db, dataDir, log);
    // Nothing banked: the image passes.
    const first = await submit('bank-1', null, image);
    expect(await scorer.scorePending()).toBe(1);
    expect((await t.db.contentItem.findUniqueOrThrow({ where: { id: first.id } })).status).toBe(
      'ALLOWED',
    );

    // Banked as terror through the lifecycle: the same scorer blocks the next copy.
    const { hashes } = await bankHashesOfImage(image);
    await addHashesToBank(t.db, { hashes, label: 'TERROR', source: 'lifecycle' }, { tool: 'test' });
    const second = await submit('bank-2', null, image);
    expect(await scorer.scorePending()).toBe(1);
    const blocked = await t.db.contentItem.findUniqueOrThrow({ where: { id: second.id } });
    expect(blocked.status).toBe('BLOCKED');
    expect(blocked.topCategory).toBe('near-duplicate');
    expect(JSON.stringify(blocked.reasons)).toMatch(/match:terror/);
    const matched = await t.db.hashBankEntry.findMany({
      where: { source: 'lifecycle', matchCount: { gt: 0 } },
    });
    expect(matched).toHaveLength(1);
    expect(matched[0]).toMatchObject({ label: 'TERROR', variant: 'original', matchCount: 1 });

    // Disabled: the next copy is not matched any more.
    const ids = (await t.db.hashBankEntry.findMany({ where: { source: 'lifecycle' } })).map(
      (e) => e.id,
    );
    await setBankEntriesDisabled(t.db, ids, true, { tool: 'test' });
    const third = await submit('bank-3', null, image);
    expect(await scorer.scorePending()).toBe(1);
    expect((await t.db.contentItem.findUniqueOrThrow({ where: { id: third.id } })).status).toBe(
      'ALLOWED',
    );
  });

  it('matches a 20%-cropped and a caption-band copy of a banked real photo through the DB bank', async () => {
    const { banked, unrelated } = photoSet();
    const photo = await loadSetPhoto(banked[0]!);
    const { hashes } = await bankHashesOfImage(photo);
    await addHashesToBank(t.db, { hashes, label: 'TERROR', source: 'photo' }, { tool: 'test' });
    const copies = {
      cropped: await submit('photo-crop', null, await PHOTO_EDITS['crop 20%']!(photo, 1)),
      captioned: await submit('photo-caption', null, await PHOTO_EDITS['caption band']!(photo, 0)),
      unrelated: await submit('photo-other', null, await loadSetPhoto(unrelated[0]!)),
    };
    const scorer = new ContentScorer(t.db, dataDir, log);
    expect(await scorer.scorePending()).toBe(3);
    const verdict = async (id: string) => {
      const item = await t.db.contentItem.findUniqueOrThrow({
        where: { id },
        include: { scores: true },
      });
      const near = item.scores.find((x) => x.detector === 'pdq-near-duplicate');
      return { status: item.status, label: near?.label, details: JSON.stringify(near?.details) };
    };
    const cropped = await verdict(copies.cropped.id);
    expect(cropped).toMatchObject({ status: 'BLOCKED', label: 'match:terror' });
    // The crop grid answers a crop; the caption band is trimmed away first.
    expect(cropped.details).toMatch(/"variant":"crop(90|95)/);
    const captioned = await verdict(copies.captioned.id);
    expect(captioned).toMatchObject({ status: 'BLOCKED', label: 'match:terror' });
    expect(captioned.details).toMatch(/"stage":"pdq-(trimmed|strip)"/);
    expect((await verdict(copies.unrelated.id)).label).not.toMatch(/^match:/);
    // The matches are counted on the photo's rows: two, however many rows they hit.
    const counted = await t.db.hashBankEntry.aggregate({
      where: { source: 'photo' },
      _sum: { matchCount: true },
    });
    expect(counted._sum.matchCount).toBe(2);
  });

  // Two clients in one process cannot race on SQLite: libsql waits for a lock synchronously,
  // blocking the event loop the lock holder needs to commit. Separate worker processes do not
  // share an event loop; the race itself is proven on PostgreSQL.
  it.skipIf(provider === 'sqlite')(
    'two scorers racing over the same items record one verdict per item',
    async () => {
      const ids = [];
      for (let i = 0; i < 4; i++)
        ids.push((await submit(`race-${i}`, `hello number ${i}`, null)).id);
      const a = new ContentScorer(t.connect(), dataDir, log);
      const b = new ContentScorer(t.connect(), dataDir, log);
      const [na, nb] = await Promise.all([a.scorePending(), b.scorePending()]);
      expect(na + nb).toBe(4);
      const decisions = await t.db.decision.count({ where: { itemId: { in: ids } } });
      expect(decisions).toBe(4);
    },
  );

  it.skipIf(provider === 'sqlite')(
    'two workers split 200 pending items: each scored exactly once, both doing part of the work',
    async () => {
      const before = await t.db.contentItem.count();
      await t.db.contentItem.createMany({
        data: Array.from({ length: 200 }, (_, i) => ({
          externalId: `split-${i}`,
          caption:
            i % 3 === 0 ? `FREE followers!!! DM me now ${i}` : `my dog at the lake, day ${i}`,
        })),
      });
      const ids = (
        await t.db.contentItem.findMany({
          where: { externalId: { startsWith: 'split-' } },
          select: { id: true },
        })
      ).map((r) => r.id);
      expect(ids).toHaveLength(200);
      // Two scorer loops with their own clients, as two worker processes would run them.
      const drain = async (scorer: ContentScorer) => {
        let total = 0;
        for (let n = await scorer.scorePending(16); n > 0; n = await scorer.scorePending(16))
          total += n;
        return total;
      };
      const [na, nb] = await Promise.all([
        drain(new ContentScorer(t.connect(), dataDir, log)),
        drain(new ContentScorer(t.connect(), dataDir, log)),
      ]);
      expect(na + nb).toBe(200);
      // Both took part (the leases split the backlog instead of one worker losing every race).
      expect(Math.min(na, nb)).toBeGreaterThanOrEqual(32);
      const perItem = await t.db.decision.groupBy({
        by: ['itemId'],
        where: { itemId: { in: ids } },
        _count: { _all: true },
      });
      expect(perItem).toHaveLength(200);
      expect(perItem.every((g) => g._count._all === 1)).toBe(true);
      const scoreRows = await t.db.detectorScore.groupBy({
        by: ['itemId', 'detector'],
        where: { itemId: { in: ids } },
        _count: { _all: true },
      });
      expect(scoreRows.every((g) => g._count._all === 1)).toBe(true);
      expect(new Set(scoreRows.map((g) => g.itemId)).size).toBe(200);
      const left = await t.db.contentItem.count({
        where: { id: { in: ids }, OR: [{ status: 'PENDING' }, { version: { not: 1 } }] },
      });
      expect(left).toBe(0);
      expect(await t.db.contentItem.count()).toBe(before + 200);
    },
  );

  it('scores an item whose worker died holding it once the lease lapses, and not before', async () => {
    const item = await submit('leased', 'a quiet afternoon', null);
    const now = new Date();
    const held = await claimPendingForScoring(t.db, { workerId: 'dead', limit: 100, now });
    expect(held.map((h) => h.id)).toContain(item.id);
    const scorer = new ContentScorer(t.db, dataDir, log);
    expect(await scorer.scorePending()).toBe(0); // the dead worker's lease is live
    const expired = new Date(now.getTime() - 200_000);
    await t.db.contentItem.update({ where: { id: item.id }, data: { scoringUntil: expired } });
    expect(await scorer.scorePending()).toBe(1);
    const scored = await t.db.contentItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(scored).toMatchObject({ status: 'ALLOWED', scoringBy: null, scoringUntil: null });
  });
});
