// The platform API's read side against the production build on real SQLite: a key reads its own
// verdicts (a moderator named by role only), never another key's; the list pages through the
// key's items by cursor while they change; every error under /api/v1 is JSON.
import {
  generateApiKey,
  scoreContentItem,
  decideContentItem,
  type PolicyVerdict,
} from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { samplePng } from './support/png';
import { awayFromWindowEdge } from './support/rate-window';
import { submit } from './support/submit';
import { createTempDb, type TempDb } from './support/temp-db';

const MODERATOR = {
  id: 'moderator-private-id',
  name: 'Quentin Zebulon-Moderator',
  email: 'quentin.zebulon@private.example',
};

type Json = Record<string, unknown>;
interface Page {
  items: { id: string; externalId: string; status: string; updatedAt: string }[];
  nextCursor: string | null;
  hasMore: boolean;
}

describe('GET /api/v1/submissions[/{externalId}] (production build, real SQLite)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;
  const keys = { a: '', b: '', list: '' };
  const keyIds = { a: '', b: '', list: '' };

  async function createKey(name: string, rateLimitPerMinute = 1000, revoked = false) {
    const k = generateApiKey();
    const row = await t.db.apiKey.create({
      data: {
        name,
        prefix: k.prefix,
        hash: k.hash,
        rateLimitPerMinute,
        createdById: MODERATOR.id,
        revokedAt: revoked ? new Date() : null,
      },
    });
    return { secret: k.secret, id: row.id };
  }

  const get = (path: string, key: string | null) =>
    fetch(`${dashboard.url}${path}`, {
      headers: key === null ? {} : { authorization: `Bearer ${key}` },
    });
  const read = (externalId: string, key: string) =>
    get(`/api/v1/submissions/${encodeURIComponent(externalId)}`, key);

  async function expectJsonError(res: Response, status: number, pattern: RegExp) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Json;
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(pattern);
  }

  const verdict: PolicyVerdict = {
    action: 'REVIEW',
    policyVersion: 'policy-2026-12',
    reasons: [
      {
        detector: 'caption-spam',
        category: 'spam',
        score: 0.71,
        label: 'spam',
        action: 'REVIEW',
        reason: 'tokens: buy, now',
      },
    ],
    scores: [],
    reasonCode: 'policy.review',
    note: 'caption-spam: tokens: buy, now',
  };

  async function scoreAndDecide(externalId: string, keyId: string) {
    const item = await t.db.contentItem.findUniqueOrThrow({
      where: { submittedByKeyId_externalId: { submittedByKeyId: keyId, externalId } },
    });
    expect(await scoreContentItem(t.db, item, verdict)).toBe(true);
    const decided = await decideContentItem(
      t.db,
      {
        itemId: item.id,
        version: item.version + 1,
        action: 'REMOVE',
        reasonCode: 'spam',
        note: `Removed by ${MODERATOR.name}`,
      },
      MODERATOR.id,
    );
    expect(decided.outcome).toBe('DECIDED');
    return item;
  }

  beforeAll(async () => {
    t = await createTempDb('read-api');
    await t.db.user.create({ data: { ...MODERATOR, role: 'MODERATOR' } });
    for (const name of ['a', 'b', 'list'] as const) {
      const k = await createKey(name);
      keys[name] = k.secret;
      keyIds[name] = k.id;
    }
    dashboard = await startDashboard({ DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  it('reads the key’s own item: PENDING at first, then the verdict and its history, the moderator by role only', async () => {
    const posted = await submit(dashboard.url, keys.a, {
      externalId: 'post-1',
      caption: 'buy now',
      image: samplePng(1),
    });
    expect(posted.status).toBe(201);
    const { id } = (await posted.json()) as { id: string };

    const pending = await read('post-1', keys.a);
    expect(pending.status).toBe(200);
    expect(await pending.json()).toMatchObject({
      id,
      externalId: 'post-1',
      status: 'PENDING',
      verdict: null,
      policy: null,
      decisions: [],
    });

    await scoreAndDecide('post-1', keyIds.a);
    const res = await read('post-1', keys.a);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    const body = JSON.parse(text) as Json;
    const byModerator = {
      action: 'REMOVE',
      reasonCode: 'spam',
      by: { type: 'moderator', role: 'MODERATOR' },
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) as string,
    };
    expect(body).toEqual({
      id,
      externalId: 'post-1',
      status: 'REMOVED',
      verdict: byModerator,
      policy: {
        action: 'REVIEW',
        version: 'policy-2026-12',
        reasons: [
          {
            category: 'spam',
            detector: 'caption-spam',
            score: 0.71,
            label: 'spam',
            action: 'REVIEW',
          },
        ],
      },
      decisions: [
        {
          action: 'REVIEW',
          reasonCode: 'policy.review',
          by: { type: 'policy', policyVersion: 'policy-2026-12' },
          at: expect.any(String) as string,
        },
        byModerator,
      ],
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      mime: 'image/png',
      bytes: samplePng(1).byteLength,
      createdAt: expect.any(String) as string,
      updatedAt: expect.any(String) as string,
    });
    // Nothing personal about the moderator, in any form (nor the note that names them).
    for (const secret of [MODERATOR.name, MODERATOR.email, MODERATOR.id, 'Quentin', 'Zebulon'])
      expect(text).not.toContain(secret);
  });

  it('answers another key’s externalId exactly as an unknown one (404), and gives that key its own item', async () => {
    const foreign = await read('post-1', keys.b);
    const unknown = await read('never-posted', keys.b);
    for (const res of [foreign, unknown])
      expect([res.status, res.headers.get('content-type')]).toEqual([404, 'application/json']);
    expect(await foreign.json()).toEqual(await unknown.json());
    await expectJsonError(await read('never-posted', keys.a), 404, /No submission/);

    const own = await submit(dashboard.url, keys.b, { externalId: 'post-1', image: samplePng(2) });
    expect(own.status).toBe(201);
    const { id } = (await own.json()) as { id: string };
    const mine = await read('post-1', keys.b);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ id, status: 'PENDING', decisions: [] });
  });

  it('reads an externalId with slashes, spaces and other reserved characters', async () => {
    const externalId = 'forum/thread 42?post=7#é%';
    const posted = await submit(dashboard.url, keys.a, { externalId, image: samplePng(3) });
    expect(posted.status).toBe(201);
    const res = await read(externalId, keys.a);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ externalId });
  });

  it('refuses a missing, unknown or revoked key with a JSON 401, on both endpoints', async () => {
    const revoked = (await createKey('revoked', 1000, true)).secret;
    for (const key of [null, 'gm_nope', revoked]) {
      await expectJsonError(await get('/api/v1/submissions/post-1', key), 401, /API key/);
      await expectJsonError(await get('/api/v1/submissions', key), 401, /API key/);
    }
  });

  it('counts reads against the key’s rate limit: a JSON 429 with Retry-After', async () => {
    const limited = (await createKey('limited', 2)).secret;
    await awayFromWindowEdge();
    expect((await read('x', limited)).status).toBe(404);
    expect((await get('/api/v1/submissions', limited)).status).toBe(200);
    const over = await read('x', limited);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectJsonError(over, 429, /Rate limit of 2 requests per minute/);
  });

  it('answers unknown paths and methods under /api/v1 with JSON, not the HTML page', async () => {
    for (const path of ['/api/v1', '/api/v1/nope', '/api/v1/submissions/a/b', '/api/v1/x/y/z']) {
      await expectJsonError(await get(path, keys.a), 404, /No such endpoint/);
      await expectJsonError(
        await fetch(`${dashboard.url}${path}`, { method: 'POST' }),
        404,
        /No such endpoint/,
      );
    }
    const put = await fetch(`${dashboard.url}/api/v1/submissions`, { method: 'PUT' });
    expect(put.headers.get('allow')).toBe('GET, POST');
    await expectJsonError(put, 405, /use GET or POST/);
    await expectJsonError(
      await fetch(`${dashboard.url}/api/v1/submissions/post-1`, { method: 'DELETE' }),
      405,
      /use GET/,
    );
  });

  describe('the list', () => {
    const ids: string[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 25; i++) {
        const res = await submit(dashboard.url, keys.list, {
          externalId: `list-${i}`,
          image: samplePng(100 + i),
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { id: string }).id);
      }
    });

    const list = async (query: string, key = keys.list) => {
      const res = await get(`/api/v1/submissions${query}`, key);
      expect(res.status).toBe(200);
      return (await res.json()) as Page;
    };

    it('pages 25 items by 10 into 3 pages, no duplicates nor gaps, while unread items change', async () => {
      const seen: Page['items'] = [];
      const sizes: number[] = [];
      const changed: string[] = [];
      let query = '?limit=10';
      for (let page = 0; page < 5; page++) {
        const result = await list(query);
        seen.push(...result.items);
        sizes.push(result.items.length);
        if (!result.hasMore) break;
        // Between pages an item not read yet gets its verdict: it moves on and is read once.
        const unread = ids.find((id) => !seen.some((s) => s.id === id) && !changed.includes(id));
        if (unread) {
          const item = await t.db.contentItem.findUniqueOrThrow({ where: { id: unread } });
          expect(await scoreContentItem(t.db, item, { ...verdict, action: 'BLOCK' })).toBe(true);
          changed.push(unread);
        }
        query = `?limit=10&cursor=${result.nextCursor}`;
      }
      expect(sizes).toEqual([10, 10, 5]);
      expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
      expect(changed).toHaveLength(2);
      for (const id of changed) expect(seen.find((s) => s.id === id)?.status).toBe('BLOCKED');
      // Ordered by (updatedAt, id).
      const order = seen.map((s) => `${s.updatedAt} ${s.id}`);
      expect(order).toEqual([...order].sort());
      // Only this key's items.
      expect(seen.every((s) => s.externalId.startsWith('list-'))).toBe(true);
    });

    it('filters by updated_since', async () => {
      const all = await list('?limit=200');
      expect(all.items).toHaveLength(25);
      const pivot = all.items[20] as Page['items'][number];
      const since = await list(`?limit=200&updated_since=${encodeURIComponent(pivot.updatedAt)}`);
      expect(since.items.length).toBeGreaterThanOrEqual(5);
      expect(since.items.every((i) => i.updatedAt >= pivot.updatedAt)).toBe(true);
      expect(since.items.map((i) => i.id)).toContain(pivot.id);
      const future = await list('?updated_since=2999-01-01T00:00:00Z');
      expect(future).toEqual({ items: [], nextCursor: null, hasMore: false });
    });

    it('refuses a malformed cursor, limit or updated_since with a 400 naming it', async () => {
      const bad = (query: string) => get(`/api/v1/submissions${query}`, keys.list);
      await expectJsonError(await bad('?cursor=not-a-cursor'), 400, /`cursor` is malformed/);
      await expectJsonError(await bad('?cursor=%2F%2F'), 400, /`cursor` is malformed/);
      for (const limit of ['0', '201', 'ten', '1.5', ''])
        await expectJsonError(await bad(`?limit=${limit}`), 400, /`limit` must be an integer/);
      await expectJsonError(await bad('?updated_since=yesterday'), 400, /`updated_since`/);
      await expectJsonError(await bad('?limit=5&limit=6'), 400, /`limit` is given more than once/);
    });
  });
});
