// The hash bank's lifecycle on both databases: banking an item's real image (the matcher's crop
// grid, strip and low-detail DCT signatures, one picture on the list), "Remove and bank" raced by two moderators, disable/enable/delete with their audit
// trail, search by distance, ThreatExchange CSV round trips and refusals, and the scorer's stamp.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSetPhoto, photoSet } from '@ganmod/moderation';

import { connectDb, type Db } from '../src/client.js';
import { scoreContentItem } from '../src/content-items.js';
import {
  BankInputError,
  addHashesToBank,
  bankHashesOfImage,
  bankStamp,
  bankSummary,
  deleteBankEntries,
  exportBankCsv,
  importBankCsv,
  listBankEntries,
  listBankEvents,
  matchableBankEntries,
  parseBankCsv,
  recordBankMatches,
  removeAndBankItem,
  searchHashesOfImage,
  setBankEntriesDisabled,
} from '../src/hash-bank.js';
import { PROVIDERS, useMigratedDatabase } from './helpers.js';

/** A 128x128 picture with structure (rings and a bar, not symmetric), mirrored on request. */
async function picture(seed: number, mirror = false, side = 128): Promise<Uint8Array> {
  const data = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const sx = mirror ? side - 1 - x : x;
      const r = Math.hypot(sx - side * 0.3, y - side * 0.4);
      const v = Math.sin(r / (3 + seed)) > 0 ? 220 : 30;
      const bar = sx > side * 0.7 && y < side * 0.5 ? 255 : 0;
      data.set([v, (v + bar + seed * 40) % 256, bar], (y * side + x) * 3);
    }
  }
  return new Uint8Array(
    await sharp(data, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

function parseErr(parse: () => unknown): BankInputError {
  try {
    parse();
  } catch (err) {
    if (err instanceof BankInputError) return err;
    throw err;
  }
  throw new Error('expected a BankInputError');
}

describe.each(PROVIDERS)('hash bank on %s', (provider) => {
  const t = useMigratedDatabase(provider);
  let second: Db;
  let ann: string;
  let bob: string;

  beforeAll(async () => {
    second = await connectDb(t.url);
    ann = (
      await t.db.user.create({
        data: { id: 'ann', name: 'Ann', email: 'ann@x.test', role: 'MODERATOR' },
      })
    ).id;
    bob = (
      await t.db.user.create({
        data: { id: 'bob', name: 'Bob', email: 'bob@x.test', role: 'ADMIN' },
      })
    ).id;
  });
  afterAll(() => second?.$disconnect());

  async function inReview(externalId: string) {
    const item = await t.db.contentItem.create({ data: { externalId, imagePath: 'x.png' } });
    await scoreContentItem(t.db, item, {
      action: 'REVIEW',
      policyVersion: 't',
      reasons: [],
      scores: [],
      reasonCode: 'policy.review',
      note: null,
    });
    return t.db.contentItem.findUniqueOrThrow({ where: { id: item.id } });
  }

  it("banks an image as one picture of the matcher's hashes, and finds it by hash", async () => {
    const original = await bankHashesOfImage(await picture(1));
    expect(original.hashes.map((h) => h.variant)).toEqual(
      expect.arrayContaining(['original', 'crop95', 'crop90', 'crop90@0,0', 'strip']),
    );
    expect(original.hashes.length).toBeGreaterThan(30);
    expect(original.hashes[0]).toMatchObject({ hash: original.hash, algorithm: 'pdq' });
    const res = await addHashesToBank(
      t.db,
      { hashes: original.hashes, label: 'TERROR', source: 'test' },
      { userId: ann },
    );
    expect(res).toEqual({ added: original.hashes.length, alreadyBanked: 0 });
    // Again: nothing new, and the audit trail says so.
    expect(
      await addHashesToBank(
        t.db,
        { hashes: original.hashes, label: 'TERROR', source: 'test' },
        { userId: ann },
      ),
    ).toEqual({ added: 0, alreadyBanked: original.hashes.length });

    // One picture on the list, with all its rows counted.
    const listed = await listBankEntries(t.db, { label: 'TERROR' });
    expect(listed.total).toBe(1);
    expect(listed.entries[0]).toMatchObject({
      hash: original.hash,
      variant: 'original',
      hashCount: original.hashes.length,
    });
    expect((await bankSummary(t.db)).TERROR).toEqual({ enabled: 1, disabled: 0 });

    // Searching finds the picture once (many of its crops are near), closest row's distance.
    const near = await listBankEntries(t.db, { near: { hash: original.hash } });
    expect(near.total).toBe(1);
    expect(near.entries[0]).toMatchObject({ label: 'TERROR', hash: original.hash, distance: 0 });
    // The bank stores no mirrors any more (the matcher queries them): a mirrored copy's own
    // hash is far, its mirror is the original.
    const mirroredPng = await picture(1, true);
    const mirrored = await bankHashesOfImage(mirroredPng);
    expect((await listBankEntries(t.db, { near: { hash: mirrored.hash } })).total).toBe(0);
    // Searching with the copy's rotations and mirrors (as the Bank page and the CLI do) finds it.
    const search = await searchHashesOfImage(mirroredPng);
    expect(search.hash).toBe(mirrored.hash);
    expect(search.near).toHaveLength(8);
    const found = await listBankEntries(t.db, { near: { hash: search.near } });
    expect(found.total).toBe(1);
    expect(found.entries[0]).toMatchObject({ hash: original.hash, label: 'TERROR' });
    expect(found.entries[0]!.distance).toBeLessThanOrEqual(8);
    const other = await bankHashesOfImage(await picture(3));
    expect((await listBankEntries(t.db, { near: { hash: other.hash } })).total).toBe(0);

    const events = await listBankEvents(t.db);
    expect(events[0]).toMatchObject({ action: 'ADD', actorName: 'Ann', count: 0 });
    expect(events[1]).toMatchObject({ action: 'ADD', actorId: ann, actorRole: 'MODERATOR' });
  });

  it('refuses malformed hashes and qualities, writing nothing', async () => {
    const before = await t.db.hashBankEntry.count();
    await expect(
      addHashesToBank(
        t.db,
        { hashes: [{ hash: hex(1) }, { hash: 'abc' }], label: 'SPAM', source: 'x' },
        { tool: 'test' },
      ),
    ).rejects.toThrow(/hash 2: "abc" is not a pdq hash/);
    // A DCT signature is 512 hex digits; a PDQ-length one is refused, as is an unknown algorithm.
    await expect(
      addHashesToBank(
        t.db,
        { hashes: [{ hash: hex(1), algorithm: 'pdq-dct16' }], label: 'SPAM', source: 'x' },
        { tool: 'test' },
      ),
    ).rejects.toThrow(/is not a pdq-dct16 hash: expected 512 hexadecimal digits/);
    await expect(
      addHashesToBank(
        t.db,
        {
          hashes: [{ hash: hex(1), algorithm: 'md5' as 'pdq' }],
          label: 'SPAM',
          source: 'x',
        },
        { tool: 'test' },
      ),
    ).rejects.toThrow(/"md5" is not a bank algorithm/);
    await expect(
      addHashesToBank(
        t.db,
        { hashes: [{ hash: hex(1), quality: 101 }], label: 'SPAM', source: 'x' },
        { tool: 'test' },
      ),
    ).rejects.toBeInstanceOf(BankInputError);
    expect(await t.db.hashBankEntry.count()).toBe(before);
  });

  it('"Remove and bank" from two moderators at once: one decision, one set of bank rows', async () => {
    const item = await inReview('race-1');
    const { hashes } = await bankHashesOfImage(await picture(2));
    const decision = { itemId: item.id, version: item.version, reasonCode: 'other' };
    const [a, b] = await Promise.all([
      removeAndBankItem(t.db, decision, { label: 'CSAM', hashes }, ann),
      // On PostgreSQL from a second connection pool, as a second server would. A second libsql
      // client in this process would wait for the file lock synchronously, blocking the first.
      removeAndBankItem(
        provider === 'postgres' ? second : t.db,
        decision,
        { label: 'CSAM', hashes },
        bob,
      ),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['ALREADY_DECIDED', 'DECIDED']);
    const winner = a.outcome === 'DECIDED' ? a : b;
    expect(winner.bank).toEqual({ added: hashes.length, alreadyBanked: 0 });
    expect((a.outcome === 'DECIDED' ? b : a).bank).toBeUndefined();

    const decisions = await t.db.decision.findMany({
      where: { itemId: item.id, actorId: { not: null } },
    });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ action: 'REMOVE', reasonCode: 'other' });
    const rows = await t.db.hashBankEntry.findMany({ where: { sourceItemId: item.id } });
    expect(rows).toHaveLength(hashes.length);
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['CSAM']));
    const events = await t.db.hashBankEvent.findMany({ where: { itemId: item.id } });
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBe(decisions[0]!.actorId);
    expect((await t.db.contentItem.findUniqueOrThrow({ where: { id: item.id } })).status).toBe(
      'REMOVED',
    );

    // A stale version refuses the decision and banks nothing.
    const other = await inReview('race-2');
    const refused = await removeAndBankItem(
      t.db,
      { itemId: other.id, version: other.version + 1, reasonCode: 'other' },
      { label: 'SPAM', hashes: [{ hash: hex(7) }] },
      ann,
    );
    expect(refused.outcome).toBe('STALE');
    expect(await t.db.hashBankEntry.count({ where: { sourceItemId: other.id } })).toBe(0);
  });

  it("disables, enables and deletes a picture's rows together, audited once each; the scorer stamp follows", async () => {
    await addHashesToBank(
      t.db,
      { hashes: [{ hash: hex(0x11) }, { hash: hex(0x22) }], label: 'COPYRIGHT', source: 'dmca' },
      { userId: bob },
    );
    await addHashesToBank(
      t.db,
      { hashes: [{ hash: hex(0x33) }], label: 'COPYRIGHT', source: 'dmca-2' },
      { userId: bob },
    );
    const [e1, e2] = await t.db.hashBankEntry.findMany({
      where: { source: 'dmca' },
      orderBy: { hash: 'asc' },
    });
    expect(e1!.groupId).toBeTruthy();
    expect(e2!.groupId).toBe(e1!.groupId);
    const s0 = await bankStamp(t.db);
    // Disabling one row of a picture disables the picture: both rows, one audit event.
    expect(await setBankEntriesDisabled(t.db, [e1!.id], true, { userId: ann })).toBe(1);
    expect(await setBankEntriesDisabled(t.db, [e2!.id], true, { userId: ann })).toBe(0);
    expect(await t.db.hashBankEntry.count({ where: { source: 'dmca', disabled: true } })).toBe(2);
    expect(await t.db.hashBankEntry.count({ where: { source: 'dmca-2', disabled: true } })).toBe(0);
    const s1 = await bankStamp(t.db);
    expect(s1).not.toBe(s0);
    const matchable = (await matchableBankEntries(t.db)).map((e) => e.id);
    expect(matchable).not.toContain(e1!.id);
    expect(matchable).not.toContain(e2!.id);
    // Match counts do not change the stamp (no rebuild per match); the list sums them.
    await recordBankMatches(t.db, [e2!.id]);
    await recordBankMatches(t.db, [e1!.id]);
    expect(await bankStamp(t.db)).toBe(s1);
    const shown = (await listBankEntries(t.db, { label: 'COPYRIGHT', disabled: true })).entries;
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ groupId: e1!.groupId, hashCount: 2, matchCount: 2 });
    // A batch's matches in one call: an entry listed three times counts three.
    await recordBankMatches(t.db, [e1!.id, e2!.id, e1!.id, e1!.id]);
    const counts = await t.db.hashBankEntry.findMany({
      where: { id: { in: [e1!.id, e2!.id] } },
      select: { id: true, matchCount: true },
    });
    expect(Object.fromEntries(counts.map((c) => [c.id, c.matchCount]))).toEqual({
      [e1!.id]: 4,
      [e2!.id]: 2,
    });
    expect(await bankStamp(t.db)).toBe(s1);
    expect((await bankSummary(t.db)).COPYRIGHT).toEqual({ enabled: 1, disabled: 1 });

    expect(await setBankEntriesDisabled(t.db, [e2!.id], false, { userId: ann })).toBe(1);
    const dmca2 = await t.db.hashBankEntry.findFirstOrThrow({ where: { source: 'dmca-2' } });
    expect(
      await deleteBankEntries(t.db, [e1!.id, dmca2.id], { userId: bob }, 'takedown withdrawn'),
    ).toBe(2);
    expect(await t.db.hashBankEntry.count({ where: { source: { startsWith: 'dmca' } } })).toBe(0);
    const trail = await listBankEvents(t.db, { take: 4 });
    expect(trail.map((e) => e.action)).toEqual(['DELETE', 'DELETE', 'ENABLE', 'DISABLE']);
    expect(trail.map((e) => e.count)).toEqual(
      trail[0]!.hash === hex(0x33) ? [1, 2, 2, 2] : [2, 1, 2, 2],
    );
    expect(trail[0]).toMatchObject({ actorName: 'Bob', actorRole: 'ADMIN', label: 'COPYRIGHT' });
    expect(trail[3]!.note).toMatch(/\(2 hashes\)/);

    // The trail is append-only in the database itself.
    await expect(
      t.db.$executeRawUnsafe('UPDATE "hash_bank_events" SET "note" = \'x\''),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.$executeRawUnsafe('DELETE FROM "hash_bank_events"')).rejects.toThrow(
      /append-only/,
    );
  });

  it("stores a low-detail picture's DCT and profile signatures beside its PDQ; the scorer loads them, the CSV export only PDQ", async () => {
    // A soft gradient: PDQ quality below 60, so the matcher also stores 512-hex signatures.
    const side = 128;
    const data = Buffer.alloc(side * side * 3);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) data.set([x + 60, y + 60, 128], (y * side + x) * 3);
    const png = await sharp(data, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toBuffer();
    const { hashes, quality } = await bankHashesOfImage(png);
    expect(quality).toBeLessThan(60);
    const signatures = hashes.filter((h) => h.algorithm === 'pdq-dct16');
    expect(signatures.length).toBeGreaterThan(0);
    expect(signatures.every((h) => /^[0-9a-f]{512}$/.test(h.hash))).toBe(true);
    await addHashesToBank(t.db, { hashes, label: 'SPAM', source: 'flat' }, { userId: ann });
    const stored = await t.db.hashBankEntry.findMany({ where: { source: 'flat' } });
    expect(stored).toHaveLength(hashes.length);
    expect(new Set(stored.map((r) => r.groupId)).size).toBe(1);
    const matchable = (await matchableBankEntries(t.db)).filter((e) => e.source === 'flat');
    expect(new Set(matchable.map((e) => e.algorithm))).toEqual(new Set(['pdq', 'pdq-dct16']));
    expect(matchable.find((e) => e.algorithm === 'pdq-dct16')!.quality).toBe(quality);
    // MATE's Stripes (fine vertical stripes, PDQ quality ~63) also gets a luminance profile row.
    const stripes = photoSet().banked.find((p) => p.id.endsWith('mate/desktop/Stripes.png'))!;
    const striped = await bankHashesOfImage(await loadSetPhoto(stripes));
    const profiles = striped.hashes.filter((h) => h.algorithm === 'luma-profile128');
    expect(profiles).toHaveLength(1);
    expect(profiles[0]!.hash).toMatch(/^[0-9a-f]{516}$/);
    await addHashesToBank(
      t.db,
      { hashes: striped.hashes, label: 'SPAM', source: 'stripes' },
      { userId: ann },
    );
    const loaded = (await matchableBankEntries(t.db)).filter((e) => e.source === 'stripes');
    expect(loaded.filter((e) => e.algorithm === 'luma-profile128')).toHaveLength(1);
    const { csv } = await exportBankCsv(t.db, { label: 'SPAM' });
    expect(csv).not.toMatch(/[0-9a-f]{100}/);
    for (const h of hashes.filter((x) => x.algorithm === 'pdq')) expect(csv).toContain(h.hash);
    await deleteBankEntries(t.db, [stored[0]!.id], { userId: bob });
    expect(await t.db.hashBankEntry.count({ where: { source: 'flat' } })).toBe(0);
    await deleteBankEntries(t.db, [loaded[0]!.id], { userId: bob });
    expect(await t.db.hashBankEntry.count({ where: { source: 'stripes' } })).toBe(0);
  });

  it('exports and imports ThreatExchange CSV lists; a bad line refuses the whole list', async () => {
    const csv = [
      'hash,quality,label',
      `${hex(0xa1)},100,csam`,
      `${hex(0xa2)},87,non-consensual`,
      `${hex(0xa3)},,SPAM`,
      '',
      `${hex(0xa1)},100,csam`,
    ].join('\n');
    const r = await importBankCsv(t.db, csv, { source: 'partner.csv' }, { tool: 'cli:test' });
    expect(r).toEqual({ added: 3, alreadyBanked: 0 });
    const { csv: out, count } = await exportBankCsv(t.db);
    expect(out).toContain(`${hex(0xa2)},87,non-consensual\n`);
    expect(out).toContain(`${hex(0xa3)},,spam\n`);
    expect(parseBankCsv(out)).toHaveLength(count);
    const events = await listBankEvents(t.db, { take: 3 });
    expect(events.every((e) => e.action === 'IMPORT' && e.actorName === 'cli:test')).toBe(true);

    const before = await t.db.hashBankEntry.count();
    const bad = `${hex(0xb1)},100,csam\nnot-a-hash,1,spam\n${hex(0xb2)},abc,spam\n${hex(0xb3)},5,weird\n`;
    const err = await importBankCsv(t.db, bad, { source: 'bad.csv' }, { tool: 't' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BankInputError);
    expect((err as BankInputError).message).toMatch(/line 2: "not-a-hash" is not 64 hex.*2 more/);
    expect((err as BankInputError).problems).toEqual([
      expect.stringMatching(/^line 2/),
      expect.stringMatching(/^line 3: quality "abc"/),
      expect.stringMatching(/^line 4: label "weird" is not one of csam, terror/),
    ]);
    expect(await t.db.hashBankEntry.count()).toBe(before);
    // A huge list of garbage is counted whole but names only its first 100 lines.
    const garbage = parseErr(() => parseBankCsv('x\n'.repeat(50_000)));
    expect(garbage.message).toMatch(/line 1: "x" is not 64 hex.*\(and 49999 more\)/);
    expect(garbage.problems).toHaveLength(100);
    // With a label chosen for the list, the third column may be a file name.
    expect(
      await importBankCsv(
        t.db,
        `${hex(0xc1)},90,photo.jpg\n`,
        { source: 'te', label: 'TERROR' },
        {
          tool: 't',
        },
      ),
    ).toEqual({ added: 1, alreadyBanked: 0 });
  });
});
