// The review queue at depth (issue 14): sorting, filtering and counting cover the whole backlog,
// not a window of the oldest items; categories come from the vocabulary; PENDING items wait in
// "Unscored" only. Real SQLite and PostgreSQL, through the tRPC procedures the page calls.
import { DETECTOR_CATEGORIES } from '@ganmod/moderation/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '~/server/root';
import {
  reviewQueueOrder,
  reviewQueueWhere,
  type ReviewQueueFilter,
} from '~/server/moderation/review-queue';
import { createCallerFactory } from '~/server/trpc';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const createCaller = createCallerFactory(appRouter);

/** Items in review, more than the old 2,000-item window, created a second apart. */
const DEPTH = 3000;

describe.each(PROVIDERS)('the review queue at depth on %s', (provider) => {
  let t: TempDb;
  let mo: ReturnType<typeof createCaller>;
  const start = Date.now() - 2 * DEPTH * 1000;

  beforeAll(async () => {
    t = await createTempDb('queue-scale', provider);
    const users = await createRoleUsers(t.db);
    mo = createCaller({ db: t.db, user: users.MODERATOR });
    // A spam wave: DEPTH items flagged a little by caption-spam, oldest first...
    const ids = Array.from({ length: DEPTH }, (_, i) => `wave-${String(i).padStart(5, '0')}`);
    await t.db.contentItem.createMany({
      data: ids.map((id, i) => ({
        id,
        externalId: id,
        caption: `buy now ${i}`,
        status: 'IN_REVIEW' as const,
        policyAction: 'REVIEW' as const,
        policyVersion: 'test',
        topScore: 0.5 + (i % 40) / 100,
        topDetector: 'caption-spam',
        topCategory: 'spam',
        createdAt: new Date(start + i * 1000),
      })),
    });
    await t.db.detectorScore.createMany({
      data: ids.map((id, i) => ({
        itemId: id,
        detector: 'caption-spam',
        score: 0.5 + (i % 40) / 100,
      })),
    });
    // ...and, posted last, a hash-bank match: the most severe item of the backlog.
    const severe = { detector: 'pdq-near-duplicate', score: 0.99 };
    await t.db.contentItem.create({
      data: {
        id: 'bank-match',
        externalId: 'bank-match',
        caption: 'reposted known-bad image',
        status: 'IN_REVIEW',
        policyAction: 'REVIEW',
        policyVersion: 'test',
        topScore: severe.score,
        topDetector: severe.detector,
        topCategory: 'near-duplicate',
        createdAt: new Date(start + DEPTH * 1000),
        scores: {
          create: [
            { ...severe, label: 'known-bad' },
            { detector: 'caption-spam', score: 0.6 },
          ],
        },
      },
    });
    // Not scored yet: waits in "Unscored", not in "Needs review".
    await t.db.contentItem.create({
      data: {
        id: 'pending-1',
        externalId: 'pending-1',
        status: 'PENDING',
        createdAt: new Date(start - 1000),
      },
    });
  }, 120_000);
  afterAll(async () => t?.cleanup());

  it('puts the newest item first under "newest first", past the oldest 2,000', async () => {
    const page = await mo.reviewQueue.list({ sort: 'newest', limit: 5 });
    expect(page.items[0]?.externalId).toBe('bank-match');
    expect(page.items.map((i) => i.externalId).slice(1)).toEqual([
      'wave-02999',
      'wave-02998',
      'wave-02997',
      'wave-02996',
    ]);
  });

  it('puts the highest score first under "highest score", wherever it is in the backlog', async () => {
    const page = await mo.reviewQueue.list({ sort: 'score', limit: 3 });
    expect(page.items[0]).toMatchObject({
      externalId: 'bank-match',
      topScore: 0.99,
      topDetector: 'pdq-near-duplicate',
      topCategory: 'near-duplicate',
      flagged: ['pdq-near-duplicate', 'caption-spam'],
    });
    const scores = page.items.map((i) => i.topScore ?? 0);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('counts every item matching the filter, exactly', async () => {
    const all = await mo.reviewQueue.list({ limit: 10 });
    expect(all.total).toBe(DEPTH + 1);
    expect(all.items).toHaveLength(10);
    expect(all.nextOffset).toBe(10);
    const bank = await mo.reviewQueue.list({ category: 'near-duplicate', sort: 'score' });
    expect(bank.total).toBe(1);
    expect(bank.items.map((i) => i.externalId)).toEqual(['bank-match']);
    const spam = await mo.reviewQueue.list({ category: 'spam', minScore: 0.8, limit: 1 });
    // i % 40 >= 30: a quarter of the wave.
    expect(spam.total).toBe(DEPTH / 4);
  });

  it('pages through the whole sorted backlog without gaps or repeats', async () => {
    const seen = new Set<string>();
    let offset: number | null = 0;
    while (offset !== null) {
      const page = await mo.reviewQueue.list({ sort: 'score', limit: 500, offset });
      for (const item of page.items) seen.add(item.id);
      offset = page.nextOffset;
    }
    expect(seen.size).toBe(DEPTH + 1);
  });

  it('offers the vocabulary categories without scanning scores', async () => {
    expect(await mo.reviewQueue.categories()).toEqual([...DETECTOR_CATEGORIES]);
  });

  it('keeps PENDING items out of "Needs review" and lists exactly them in "Unscored"', async () => {
    const review = await mo.reviewQueue.list({ sort: 'oldest', limit: 1 });
    expect(review.items[0]?.externalId).toBe('wave-00000');
    const unscored = await mo.reviewQueue.list({ view: 'unscored' });
    expect(unscored.items.map((i) => i.externalId)).toEqual(['pending-1']);
    expect(unscored.total).toBe(await t.db.contentItem.count({ where: { status: 'PENDING' } }));
  });

  it('reads the same items when a range off the sort key is written as NOT (the deep-queue plan)', async () => {
    // The cutoff falls exactly on wave-01500 and 0.75 is a wave score: both bounds are inclusive.
    const now = new Date(start + 1500 * 1000 + 60 * 60_000);
    const ids = async (filter: ReviewQueueFilter, walk: boolean) =>
      (
        await t.db.contentItem.findMany({
          where: reviewQueueWhere(filter, now, walk),
          orderBy: reviewQueueOrder[filter.sort],
          select: { id: true },
        })
      ).map((r) => r.id);
    for (const sort of ['oldest', 'newest', 'score'] as const) {
      for (const range of [
        { minScore: 0.75 },
        { olderThanMinutes: 60 },
        { minScore: 0.75, olderThanMinutes: 60 },
      ]) {
        const filter: ReviewQueueFilter = { view: 'review', sort, limit: 1, ...range };
        const walked = await ids(filter, true);
        expect(walked).toEqual(await ids(filter, false));
        expect(walked.length).toBeGreaterThan(0);
      }
    }
    expect(
      reviewQueueWhere({ view: 'review', sort: 'oldest', limit: 1, minScore: 0.75 }, now, true),
    ).toMatchObject({ NOT: [{ topScore: { lt: 0.75 } }] });
  });
});
