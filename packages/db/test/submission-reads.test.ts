// What a platform reads back about its submissions, on both databases: the public shape (role
// only, never a moderator's name or email), the per-key scoping, and cursor pagination in
// (updatedAt, id) order that neither repeats nor skips items while they change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { connectDb } from '../src/client.js';
import {
  decideContentItem,
  scoreContentItem,
  submitContentItem,
  type PolicyVerdict,
} from '../src/content-items.js';
import { migrate } from '../src/migrate/index.js';
import {
  SubmissionCursorError,
  decodeSubmissionCursor,
  encodeSubmissionCursor,
  listSubmissions,
  readSubmission,
  type PublicSubmission,
} from '../src/submission-reads.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

const MODERATOR = { name: 'Quentin Zebulon-Moderator', email: 'quentin.zebulon@private.example' };

const verdict = (action: PolicyVerdict['action']): PolicyVerdict => ({
  action,
  policyVersion: 'policy-7',
  reasons: [
    {
      detector: 'caption-spam',
      category: 'spam',
      score: 0.82,
      label: 'spam',
      action,
      reason: 'free-text evidence',
    },
    { detector: 'nsfw-explicit', category: 'explicit', score: 0.1, label: 'safe', action: 'ALLOW' },
  ],
  scores: [],
  reasonCode: `policy.${action.toLowerCase()}`,
  note: 'caption-spam: free-text evidence',
});

describe('submission cursors', () => {
  it('round-trips a position', () => {
    const position = { updatedAt: new Date('2026-12-06T01:02:03.456Z'), id: 'cm1abc' };
    expect(decodeSubmissionCursor(encodeSubmissionCursor(position))).toEqual(position);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc!def'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['an object', Buffer.from('{"u":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","x"]').toString('base64url')],
    ['an empty id', Buffer.from('["2026-12-06T01:02:03.456Z",""]').toString('base64url')],
    ['too long', 'a'.repeat(401)],
  ])('refuses %s', (_, text) => {
    expect(() => decodeSubmissionCursor(text)).toThrow(SubmissionCursorError);
  });
});

describe.each(PROVIDERS)('submission reads on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  let moderatorId: string;
  const keys = { a: '', b: '', list: '' };

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    db = await connectDb(database.url);
    moderatorId = (await db.user.create({ data: { id: 'mod-1', ...MODERATOR, role: 'MODERATOR' } }))
      .id;
    for (const name of Object.keys(keys) as (keyof typeof keys)[]) {
      keys[name] = (
        await db.apiKey.create({
          data: { name, prefix: `p-${name}`, hash: `h-${name}`, createdById: moderatorId },
        })
      ).id;
    }
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  const submit = async (apiKeyId: string, externalId: string) => {
    const result = await submitContentItem(
      db,
      { apiKeyId, externalId, caption: null, sha256: 'b'.repeat(64), mime: 'image/png', bytes: 9 },
      () => Promise.resolve('uploads/x.png'),
    );
    if (result.outcome === 'conflict') throw new Error(result.message);
    return result.item;
  };
  const score = async (itemId: string, action: PolicyVerdict['action']) => {
    const { version } = await db.contentItem.findUniqueOrThrow({ where: { id: itemId } });
    expect(await scoreContentItem(db, { id: itemId, version }, verdict(action))).toBe(true);
  };

  it('reads the policy verdict, then a moderator decision by role only', async () => {
    const item = await submit(keys.a, 'post-1');
    const pending = await readSubmission(db, keys.a, 'post-1');
    expect(pending).toMatchObject({
      id: item.id,
      status: 'PENDING',
      verdict: null,
      policy: null,
      decisions: [],
    });

    await score(item.id, 'REVIEW');
    const { version } = await db.contentItem.findUniqueOrThrow({ where: { id: item.id } });
    const decided = await decideContentItem(
      db,
      { itemId: item.id, version, action: 'REMOVE', reasonCode: 'spam', note: 'by Quentin' },
      moderatorId,
    );
    expect(decided.outcome).toBe('DECIDED');

    const read = (await readSubmission(db, keys.a, 'post-1')) as PublicSubmission;
    const policyDecision = {
      action: 'REVIEW',
      reasonCode: 'policy.review',
      by: { type: 'policy', policyVersion: 'policy-7' },
      at: expect.any(String) as string,
    };
    const moderatorDecision = {
      action: 'REMOVE',
      reasonCode: 'spam',
      by: { type: 'moderator', role: 'MODERATOR' },
      at: expect.any(String) as string,
    };
    expect(read).toEqual({
      id: item.id,
      externalId: 'post-1',
      status: 'REMOVED',
      verdict: moderatorDecision,
      policy: {
        action: 'REVIEW',
        version: 'policy-7',
        reasons: [
          {
            category: 'spam',
            detector: 'caption-spam',
            score: 0.82,
            label: 'spam',
            action: 'REVIEW',
          },
          {
            category: 'explicit',
            detector: 'nsfw-explicit',
            score: 0.1,
            label: 'safe',
            action: 'ALLOW',
          },
        ],
      },
      decisions: [policyDecision, moderatorDecision],
      sha256: 'b'.repeat(64),
      mime: 'image/png',
      bytes: 9,
      createdAt: item.createdAt.toISOString(),
      updatedAt: expect.any(String) as string,
    });
    const text = JSON.stringify(read);
    for (const secret of [MODERATOR.name, MODERATOR.email, moderatorId, 'Quentin', 'free-text'])
      expect(text).not.toContain(secret);
  });

  it('scopes reads to the key: another key sees nothing, and its own item with the same id', async () => {
    expect(await readSubmission(db, keys.b, 'post-1')).toBeNull();
    expect(await readSubmission(db, keys.a, 'no-such-post')).toBeNull();
    const own = await submit(keys.b, 'post-1');
    expect(await readSubmission(db, keys.b, 'post-1')).toMatchObject({
      id: own.id,
      status: 'PENDING',
    });
    const listed = await listSubmissions(db, keys.b, { limit: 200 });
    expect(listed.items.map((i) => i.id)).toEqual([own.id]);
  });

  describe('listing', () => {
    const ids: string[] = [];
    const tie = new Date('2026-01-01T00:00:00.000Z');

    beforeAll(async () => {
      for (let i = 0; i < 25; i++) ids.push((await submit(keys.list, `list-${i}`)).id);
      // All 25 at one instant: only the id orders them, the hardest case for a cursor.
      await db.contentItem.updateMany({
        where: { submittedByKeyId: keys.list },
        data: { updatedAt: tie },
      });
    });

    async function pages(limit: number, between?: (page: number, seen: string[]) => Promise<void>) {
      const seen: PublicSubmission[] = [];
      const sizes: number[] = [];
      let after;
      for (let page = 0; page < 10; page++) {
        const result = await listSubmissions(db, keys.list, { limit, after });
        seen.push(...result.items);
        sizes.push(result.items.length);
        if (!result.hasMore) return { seen, sizes, last: result.nextCursor };
        after = decodeSubmissionCursor(result.nextCursor as string);
        await between?.(
          page,
          seen.map((s) => s.id),
        );
      }
      throw new Error('did not end');
    }

    it('pages 25 items by 10 into 10, 10, 5 in (updatedAt, id) order', async () => {
      const { seen, sizes } = await pages(10);
      expect(sizes).toEqual([10, 10, 5]);
      expect(seen.map((s) => s.id)).toEqual([...ids].sort());
      expect(seen.every((s) => s.updatedAt === tie.toISOString())).toBe(true);
    });

    it('neither repeats nor skips an item updated between pages before it was read', async () => {
      const updated: string[] = [];
      const { seen, sizes } = await pages(10, async (_, seenIds) => {
        // An item not read yet changes: it moves on in the order and is read once, as it is now.
        const next = [...ids].sort().find((id) => !seenIds.includes(id) && !updated.includes(id));
        if (!next) return;
        updated.push(next);
        await score(next, 'BLOCK');
      });
      expect(sizes).toEqual([10, 10, 5]);
      const seenIds = seen.map((s) => s.id);
      expect(new Set(seenIds).size).toBe(25);
      expect([...seenIds].sort()).toEqual([...ids].sort());
      for (const id of updated)
        expect(seen.find((s) => s.id === id)).toMatchObject({ status: 'BLOCKED' });
      // Restore the tie for the next test.
      await db.contentItem.updateMany({
        where: { submittedByKeyId: keys.list },
        data: { updatedAt: tie },
      });
    });

    it('reads again, later, an item updated after it was read; a kept cursor sees only news', async () => {
      const first = await listSubmissions(db, keys.list, { limit: 10 });
      const cursor = first.nextCursor as string;
      const alreadyRead = first.items[0] as PublicSubmission;
      await db.contentItem.update({
        where: { id: alreadyRead.id },
        data: { caption: 'touched' },
      });
      const rest = await listSubmissions(db, keys.list, {
        limit: 200,
        after: decodeSubmissionCursor(cursor),
      });
      expect(rest.items).toHaveLength(16);
      expect(rest.items.at(-1)?.id).toBe(alreadyRead.id);
      expect(rest.hasMore).toBe(false);
      // Polling later from the last cursor: nothing new, the same cursor back.
      const later = await listSubmissions(db, keys.list, {
        limit: 200,
        after: decodeSubmissionCursor(rest.nextCursor as string),
      });
      expect(later).toEqual({ items: [], nextCursor: rest.nextCursor, hasMore: false });
    });

    it('filters by updated_since (inclusive)', async () => {
      const since = new Date(tie.getTime() + 1);
      const recent = await listSubmissions(db, keys.list, { limit: 200, updatedSince: since });
      expect(recent.items.length).toBeGreaterThan(0);
      expect(recent.items.every((i) => new Date(i.updatedAt) >= since)).toBe(true);
      const all = await listSubmissions(db, keys.list, { limit: 200, updatedSince: tie });
      expect(all.items).toHaveLength(25);
      const none = await listSubmissions(db, keys.list, {
        limit: 200,
        updatedSince: new Date(Date.now() + 60_000),
      });
      expect(none).toEqual({ items: [], nextCursor: null, hasMore: false });
    });

    it('refuses a limit outside 1..200', async () => {
      for (const limit of [0, 201, 1.5])
        await expect(listSubmissions(db, keys.list, { limit })).rejects.toThrow(RangeError);
    });
  });
});
