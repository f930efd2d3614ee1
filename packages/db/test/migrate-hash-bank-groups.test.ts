// The hash_bank_groups migration on a bank that already holds entries: an item's rows become one
// picture per label, any other row a picture of its own, and the Bank page's list shows them so,
// on SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { listBankEntries } from '../src/hash-bank.js';
import { PROVIDERS, useDatabaseMigratedOver } from './helpers.js';

const UNDER_TEST = '_hash_bank_groups';

const h = (c: string) => c.repeat(64);

describe.each(PROVIDERS)('the hash_bank_groups migration on %s', (provider) => {
  let db: Db;
  let itemId: string;

  useDatabaseMigratedOver(provider, [UNDER_TEST], async (old) => {
    // The tests below read through the same client.
    db = old;
    // Raw SQL: the current client's model has columns later migrations add.
    itemId = 'old-item-1';
    await db.$executeRawUnsafe(
      `INSERT INTO "content_items" ("id", "externalId", "imagePath", "updatedAt")
       VALUES ('${itemId}', 'old-1', 'x.png', CURRENT_TIMESTAMP)`,
    );
    const rows: [string, string, string, string | null, string][] = [
      // One banked item's hashes (original and a crop) with one label: one picture.
      ['e1', h('a'), 'TERROR', itemId, 'original'],
      ['e2', h('b'), 'TERROR', itemId, 'crop95'],
      // The same item banked with another label: a picture of its own.
      ['e3', h('a'), 'SPAM', itemId, 'original'],
      // An imported hash: its own picture.
      ['e4', h('c'), 'TERROR', null, 'original'],
    ];
    const cast = provider === 'postgres' ? '::"HashBankLabel"' : '';
    for (const [id, hash, label, item, variant] of rows) {
      await db.$executeRawUnsafe(
        `INSERT INTO "hash_bank_entries" ("id", "hash", "algorithm", "label", "source", "sourceItemId", "variant")
         VALUES ('${id}', '${hash}', 'pdq', '${label}'${cast}, 'old', ${item ? `'${item}'` : 'NULL'}, '${variant}')`,
      );
    }
  });

  it("groups an item's rows per label; every other row is its own picture", async () => {
    const rows = await db.hashBankEntry.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, groupId: true },
    });
    expect(rows).toEqual([
      { id: 'e1', groupId: `item:${itemId}:TERROR` },
      { id: 'e2', groupId: `item:${itemId}:TERROR` },
      { id: 'e3', groupId: `item:${itemId}:SPAM` },
      { id: 'e4', groupId: 'e4' },
    ]);
    const { entries, total } = await listBankEntries(db, { label: 'TERROR' });
    expect(total).toBe(2);
    expect(entries.map((e) => [e.id, e.hashCount]).sort()).toEqual([
      ['e1', 2],
      ['e4', 1],
    ]);
  });
});
