// The submission API's shared state on both providers: the per-key rate limit counted in the
// database by several clients at once (as several dashboard instances would), and idempotent
// submissions under concurrent identical requests.
import { generateApiKey } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_WINDOW_MS, takeSubmissionSlot } from '~/server/moderation/rate-limit';
import { submitItem } from '~/server/moderation/submissions';
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

  it('lets exactly the limit through when two clients race on one key', async () => {
    const keyId = await createKey(7);
    const clients = [t.db, t.connect()];
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => takeSubmissionSlot(clients[i % 2]!, keyId, 7, now)),
    );
    expect(decisions.filter((d) => d.ok)).toHaveLength(7);
    const counts = decisions.flatMap((d) => (d.ok ? [d.count] : [])).sort((a, b) => a - b);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Refused requests are told to come back when the window ends, 59 s later.
    for (const d of decisions.filter((d) => !d.ok))
      expect(d).toEqual({ ok: false, retryAfterSeconds: 59 });
    // Another key has its own count.
    const other = await createKey(7);
    expect(await takeSubmissionSlot(t.db, other, 7, now)).toEqual({ ok: true, count: 1 });
  });

  it('starts every window afresh and forgets the key’s past windows', async () => {
    const keyId = await createKey(2);
    expect((await takeSubmissionSlot(t.db, keyId, 2, now)).ok).toBe(true);
    expect((await takeSubmissionSlot(t.db, keyId, 2, now + 500)).ok).toBe(true);
    expect(await takeSubmissionSlot(t.db, keyId, 2, now + 58_600)).toEqual({
      ok: false,
      retryAfterSeconds: 1,
    });
    expect(await takeSubmissionSlot(t.db, keyId, 2, now + RATE_WINDOW_MS)).toEqual({
      ok: true,
      count: 1,
    });
    const windows = await t.db.apiKeyRateWindow.findMany({ where: { apiKeyId: keyId } });
    expect(windows).toEqual([
      { apiKeyId: keyId, windowStart: windowStart / RATE_WINDOW_MS + 1, count: 1 },
    ]);
  });

  it('stores one item for simultaneous identical submissions from two clients', async () => {
    const keyId = await createKey(100);
    const clients = [t.db, t.connect()];
    const image = samplePng(77);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        submitItem(clients[i % 2]!, {
          externalId: 'same-post',
          caption: 'the same post',
          image,
          type: { mime: 'image/png', ext: 'png' },
          apiKeyId: keyId,
        }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'existing')).toHaveLength(7);
    expect(new Set(results.map((r) => (r.outcome === 'conflict' ? null : r.item.id))).size).toBe(1);
    expect(await t.db.contentItem.count({ where: { externalId: 'same-post' } })).toBe(1);
  });

  it('gives each of two keys racing on one externalId its own item, and refuses a key other content', async () => {
    const [keyA, keyB] = [await createKey(100), await createKey(100)];
    const clients = [t.db, t.connect()];
    const submission = (i: number, apiKeyId: string, image: Uint8Array, caption: string) =>
      submitItem(clients[i % 2]!, {
        externalId: 'shared-post',
        caption,
        image,
        type: { mime: 'image/png', ext: 'png' },
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
      where: { externalId: 'shared-post' },
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
          type: { mime: 'image/png', ext: 'png' },
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
    expect(await t.db.contentItem.count({ where: { externalId: 'contested' } })).toBe(1);
  });
});
