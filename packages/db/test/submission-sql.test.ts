// The platform hot path's SQL (`submission-sql.ts`, `apiKeysByHash`) must read and write rows
// exactly as the typed client does, on both databases: same values, same types (dates as Date,
// JSON parsed, integers as numbers), and inserted rows the typed client reads back unchanged.
import { describe, expect, it } from 'vitest';
import { apiKeysByHash } from '../src/api-keys.js';
import { submittedItemSelect } from '../src/content-items.js';
import { findKeyItems, insertPendingItems, newCuid } from '../src/submission-sql.js';
import { PROVIDERS, useMigratedDatabase } from './helpers.js';

const rowSelect = { ...submittedItemSelect, caption: true, submittedByKeyId: true } as const;

describe.each(PROVIDERS)('submission SQL on %s', (provider) => {
  const t = useMigratedDatabase(provider);

  async function key(name: string, revoked = false) {
    const user = await t.db.user.upsert({
      where: { id: 'sql-admin' },
      create: { id: 'sql-admin', name: 'Admin', email: 'sql@x.test', role: 'ADMIN' },
      update: {},
    });
    return t.db.apiKey.create({
      data: {
        name,
        prefix: `p-${name}`,
        hash: `h-${name}`,
        rateLimitPerMinute: 123,
        createdById: user.id,
        lastUsedAt: new Date('2026-12-01T10:00:00.123Z'),
        ...(revoked ? { revokedAt: new Date('2026-12-02T11:00:00.456Z') } : {}),
      },
    });
  }

  it('apiKeysByHash returns what findMany returns, revoked keys too', async () => {
    const live = await key('live');
    const revoked = await key('revoked', true);
    const raw = await apiKeysByHash(t.db, [live.hash, revoked.hash, 'h-unknown']);
    const typed = await t.db.apiKey.findMany({
      where: { hash: { in: [live.hash, revoked.hash] } },
    });
    const byId = <T extends { id: string }>(rows: T[]) =>
      [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId(raw)).toEqual(byId(typed));
    expect(raw.find((k) => k.id === revoked.id)?.revokedAt).toBeInstanceOf(Date);
    expect(await apiKeysByHash(t.db, [])).toEqual([]);
  });

  it('inserted items read back through the typed client exactly as the insert returned them', async () => {
    const { id: apiKeyId } = await key('writer');
    const inserted = await insertPendingItems(
      t.db,
      ['a', 'b', 'c'].map((externalId, i) => ({
        externalId,
        caption: i === 1 ? null : `caption ${externalId} ✓`,
        imagePath: `uploads/${externalId}.png`,
        sha256: externalId.repeat(64),
        mime: 'image/png',
        bytes: 1000 + i,
        submittedByKeyId: apiKeyId,
      })),
    );
    expect(inserted.map((r) => r.externalId)).toEqual(['a', 'b', 'c']);
    const typed = await t.db.contentItem.findMany({
      where: { submittedByKeyId: apiKeyId },
      select: rowSelect,
      orderBy: { externalId: 'asc' },
    });
    expect(inserted).toEqual(typed);
    const full = await t.db.contentItem.findFirstOrThrow({ where: { externalId: 'a' } });
    expect(full).toMatchObject({
      status: 'PENDING',
      version: 0,
      topScore: 0,
      imagePath: 'uploads/a.png',
    });
    expect(full.updatedAt).toEqual(full.createdAt);
  });

  it('findKeyItems reads a key’s items only, with their JSON reasons parsed', async () => {
    const { id: mine } = await key('mine');
    const { id: theirs } = await key('theirs');
    const item = (apiKeyId: string, externalId: string) => ({
      externalId,
      caption: null,
      imagePath: 'uploads/x.png',
      sha256: 'f'.repeat(64),
      mime: 'image/png',
      bytes: 5,
      submittedByKeyId: apiKeyId,
    });
    const [scored] = await insertPendingItems(t.db, [item(mine, 'shared-id'), item(mine, 'other')]);
    await insertPendingItems(t.db, [item(theirs, 'shared-id')]);
    const reasons = [
      { detector: 'caption-spam', score: 0.8, label: 'spam', nested: { a: [1, 2] } },
    ];
    await t.db.contentItem.update({
      where: { id: scored!.id },
      data: { reasons, policyAction: 'REVIEW', status: 'IN_REVIEW' },
    });
    const found = await findKeyItems(t.db, mine, ['shared-id', 'missing']);
    expect(found).toEqual(
      await t.db.contentItem.findMany({
        where: { submittedByKeyId: mine, externalId: 'shared-id' },
        select: rowSelect,
      }),
    );
    expect(found[0]?.reasons).toEqual(reasons);
  });

  it('one multi-row insert is all or nothing: a repeated (key, externalId) inserts none', async () => {
    const { id: apiKeyId } = await key('atomic');
    const row = (externalId: string) => ({
      externalId,
      caption: null,
      imagePath: 'uploads/x.png',
      sha256: 'e'.repeat(64),
      mime: 'image/png',
      bytes: 5,
      submittedByKeyId: apiKeyId,
    });
    await insertPendingItems(t.db, [row('first')]);
    await expect(insertPendingItems(t.db, [row('second'), row('first')])).rejects.toThrow();
    expect(await t.db.contentItem.count({ where: { submittedByKeyId: apiKeyId } })).toBe(1);
  });
});

describe('newCuid', () => {
  it('makes 25-character cuid-shaped ids, unique and in creation order across milliseconds', async () => {
    const ids = Array.from({ length: 10_000 }, newCuid);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^c[0-9a-z]{24}$/);
    const before = newCuid();
    await new Promise((r) => setTimeout(r, 5));
    expect(newCuid() > before).toBe(true);
  });
});
