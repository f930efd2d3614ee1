// The submission API's shared state on both providers: the per-key rate limit leased from the
// database by several limiters at once (as several dashboard instances would), and idempotent
// submissions under concurrent identical requests, one at a time and in group commits.
import { generateApiKey } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LEASE, RATE_WINDOW_MS, RateLimiter } from '../server/platform/rate-limit';
import { submitItem, submitItemGrouped } from '../server/platform/submission-store';
import { samplePng } from './support/png';
import { createTempDb, PROVIDERS, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

describe.each(PROVIDERS)('submission API state on %s', (provider) => {
  let t: TempDb;
  let adminId: string;
  const savedDataDir = process.env.GANMOD_DATA_DIR;

  async function createKey(rateLimitPerMinute: number): Promise<string> {
    const k = generateApiKey();
    const row = await t.db.apiKey.create({
      data: {
        name: `key ${rateLimitPerMinute}`,
        prefix: k.prefix,
        hash: k.hash,
        rateLimitPerMinute,
        createdById: adminId,
      },
    });
    return row.id;
  }

  beforeAll(async () => {
    t = await createTempDb('submissions-db', provider);
    adminId = (await createRoleUsers(t.db)).ADMIN.id;
    process.env.GANMOD_DATA_DIR = t.dir;
  });
  afterAll(async () => {
    process.env.GANMOD_DATA_DIR = savedDataDir;
    await t?.cleanup();
  });

  // A fixed clock one second into a window keeps the tests off window boundaries.
  const windowStart = Math.floor(Date.now() / RATE_WINDOW_MS) * RATE_WINDOW_MS;
  const now = windowStart + 1_000;

  const windowRow = (apiKeyId: string) =>
    t.db.apiKeyRateWindow.findMany({
      where: { apiKeyId },
      select: { windowStart: true, count: true },
    });

  it('lets exactly the limit through when two instances race on one key', async () => {
    const keyId = await createKey(7);
    const limiters = [new RateLimiter(t.db), new RateLimiter(t.connect())];
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => limiters[i % 2]!.take(keyId, 7, now)),
    );
    expect(decisions.filter((d) => d.ok)).toHaveLength(7);
    // Refused requests are told to come back when the window ends, 59 s later.
    for (const d of decisions.filter((d) => !d.ok))
      expect(d).toEqual({
        ok: false,
        limit: 7,
        remaining: 0,
        resetSeconds: 59,
        retryAfterSeconds: 59,
      });
    // Another key has its own count.
    const other = await createKey(7);
    expect(await limiters[0]!.take(other, 7, now)).toEqual({
      ok: true,
      limit: 7,
      remaining: 6,
      resetSeconds: 59,
    });
  });

  it('never lets more than the limit through two instances, and leaves none unused when both are asked', async () => {
    const keyId = await createKey(100);
    const limiters = [new RateLimiter(t.db), new RateLimiter(t.connect())];
    let passed = 0;
    for (let i = 0; i < 300; i++) if ((await limiters[i % 2]!.take(keyId, 100, now)).ok) passed++;
    expect(passed).toBe(100);
  });

  it('serves many requests from one lease: one database write, not one per request', async () => {
    const keyId = await createKey(1_000_000);
    const limiter = new RateLimiter(t.db);
    // 200 at once wait for one lease sized for all of them.
    const burst = await Promise.all(
      Array.from({ length: 200 }, () => limiter.take(keyId, 1_000_000, now)),
    );
    expect(burst.every((d) => d.ok)).toBe(true);
    expect(await windowRow(keyId)).toEqual([
      { windowStart: windowStart / RATE_WINDOW_MS, count: 200 },
    ]);
    // One at a time: a lease of MAX_LEASE serves the next MAX_LEASE requests.
    for (let i = 0; i < MAX_LEASE + 1; i++) await limiter.take(keyId, 1_000_000, now);
    expect(await windowRow(keyId)).toEqual([
      { windowStart: windowStart / RATE_WINDOW_MS, count: 200 + 2 * MAX_LEASE },
    ]);
    // Remaining counts what this instance leased and has not used yet as still available.
    const next = await limiter.take(keyId, 1_000_000, now);
    expect(next).toMatchObject({ ok: true, remaining: 1_000_000 - 200 - MAX_LEASE - 2 });
  });

  it('starts every window afresh and forgets the key’s past windows', async () => {
    const keyId = await createKey(2);
    const limiter = new RateLimiter(t.db);
    expect((await limiter.take(keyId, 2, now)).ok).toBe(true);
    expect((await limiter.take(keyId, 2, now + 500)).ok).toBe(true);
    expect(await limiter.take(keyId, 2, now + 58_600)).toEqual({
      ok: false,
      limit: 2,
      remaining: 0,
      resetSeconds: 1,
      retryAfterSeconds: 1,
    });
    expect(await limiter.take(keyId, 2, now + RATE_WINDOW_MS)).toEqual({
      ok: true,
      limit: 2,
      remaining: 1,
      resetSeconds: 59,
    });
    expect(await windowRow(keyId)).toEqual([
      { windowStart: windowStart / RATE_WINDOW_MS + 1, count: 1 },
    ]);
  });

  const WRITERS = [
    ['one at a time', submitItem],
    ['in group commits', submitItemGrouped],
  ] as const;

  it.each(WRITERS)(
    'stores one item for simultaneous identical submissions from two clients (%s)',
    async (_, submitItem) => {
      const keyId = await createKey(100);
      const clients = [t.db, t.connect()];
      const image = samplePng(77);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          submitItem(clients[i % 2]!, {
            externalId: 'same-post',
            caption: 'the same post',
            image,
            type: 'png',
            apiKeyId: keyId,
          }),
        ),
      );
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'existing')).toHaveLength(7);
      expect(new Set(results.map((r) => (r.outcome === 'conflict' ? null : r.item.id))).size).toBe(
        1,
      );
      expect(
        await t.db.contentItem.count({
          where: { externalId: 'same-post', submittedByKeyId: keyId },
        }),
      ).toBe(1);
    },
  );

  it.each(WRITERS)(
    'gives each of two keys racing on one externalId its own item, and refuses a key other content (%s)',
    async (_, submitItem) => {
      const [keyA, keyB] = [await createKey(100), await createKey(100)];
      const clients = [t.db, t.connect()];
      const submission = (i: number, apiKeyId: string, image: Uint8Array, caption: string) =>
        submitItem(clients[i % 2]!, {
          externalId: 'shared-post',
          caption,
          image,
          type: 'png',
          apiKeyId,
        });
      const [imageA, imageB] = [samplePng(80), samplePng(81)];
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          i % 2 === 0 ? submission(i, keyA, imageA, 'a') : submission(i, keyB, imageB, 'b'),
        ),
      );
      const created = results.flatMap((r) => (r.outcome === 'created' ? [r.item] : []));
      expect(created).toHaveLength(2);
      const rows = await t.db.contentItem.findMany({
        where: { externalId: 'shared-post', submittedByKeyId: { in: [keyA, keyB] } },
        select: { id: true, sha256: true, submittedByKeyId: true },
      });
      expect(rows).toHaveLength(2);
      const byKey = new Map(rows.map((r) => [r.submittedByKeyId, r]));
      expect(byKey.get(keyA)?.id).not.toBe(byKey.get(keyB)?.id);
      // Every answer a key got is its own item.
      results.forEach((r, i) => {
        expect(r.outcome).not.toBe('conflict');
        if (r.outcome !== 'conflict')
          expect(r.item.id).toBe(byKey.get(i % 2 === 0 ? keyA : keyB)?.id);
      });

      // Simultaneous different content from one key: one is stored, every other one is refused.
      const racing = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          submitItem(clients[i % 2]!, {
            externalId: 'contested',
            caption: `version ${i}`,
            image: samplePng(90 + i),
            type: 'png',
            apiKeyId: keyA,
          }),
        ),
      );
      expect(racing.filter((r) => r.outcome === 'created')).toHaveLength(1);
      const refused = racing.filter((r) => r.outcome === 'conflict');
      expect(refused).toHaveLength(5);
      for (const r of refused)
        expect(r.message).toBe(
          "externalId 'contested' was already submitted by this key with a different image and caption",
        );
      expect(
        await t.db.contentItem.count({
          where: { externalId: 'contested', submittedByKeyId: keyA },
        }),
      ).toBe(1);
    },
  );
});
