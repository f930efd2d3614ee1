// The hash_bank_lifecycle migration on a bank that already holds entries under the old labels:
// KNOWN_BAD becomes CUSTOM, INFRINGING COPYRIGHT, duplicates keep their oldest row, and the new
// columns take their defaults, on SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { PROVIDERS, useDatabaseMigratedOver } from './helpers.js';

const UNDER_TEST = '_hash_bank_lifecycle';

const h = (c: string) => c.repeat(64);

describe.each(PROVIDERS)('the hash_bank_lifecycle migration on %s', (provider) => {
  let db: Db;

  useDatabaseMigratedOver(provider, [UNDER_TEST], async (old) => {
    // The tests below read through the same client.
    db = old;
    const rows: [string, string, string, string][] = [
      ['e1', h('a'), 'KNOWN_BAD', '2026-01-01 00:00:00'],
      ['e2', h('b'), 'INFRINGING', '2026-01-02 00:00:00'],
      // A duplicate of e1, newer: dropped.
      ['e3', h('a'), 'KNOWN_BAD', '2026-01-03 00:00:00'],
      // Same hash, other label: kept.
      ['e4', h('a'), 'INFRINGING', '2026-01-04 00:00:00'],
    ];
    const cast = provider === 'postgres' ? '::"HashBankLabel"' : '';
    for (const [id, hash, label, at] of rows) {
      await db.$executeRawUnsafe(
        `INSERT INTO "hash_bank_entries" ("id", "hash", "label", "source", "createdAt")
         VALUES ('${id}', '${hash}', '${label}'${cast}, 'old', '${at}')`,
      );
    }
  });

  it('maps the old labels, drops duplicates and defaults the new columns', async () => {
    const rows = await db.hashBankEntry.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, label: true, disabled: true, matchCount: true, sourceItemId: true },
    });
    expect(rows).toEqual([
      { id: 'e1', label: 'CUSTOM', disabled: false, matchCount: 0, sourceItemId: null },
      { id: 'e2', label: 'COPYRIGHT', disabled: false, matchCount: 0, sourceItemId: null },
      { id: 'e4', label: 'COPYRIGHT', disabled: false, matchCount: 0, sourceItemId: null },
    ]);
  });
});
