import { describe, expect, it } from 'vitest';
import { HashBank, type HashBankRow } from '../src/bank/hash-bank.js';
import { hashFromHex, hashToHex } from '../src/pdq/hash256.js';

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    // mulberry32
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomHash(next: () => number): Uint32Array {
  return Uint32Array.from({ length: 8 }, () => Math.floor(next() * 4294967296) >>> 0);
}

function flipBits(hash: Uint32Array, count: number, next: () => number): Uint32Array {
  const out = hash.slice();
  const bits = new Set<number>();
  while (bits.size < count) bits.add(Math.floor(next() * 256));
  for (const b of bits) out[b >> 5] = (out[b >> 5]! ^ (1 << (b & 31))) >>> 0;
  return out;
}

describe('HashBank', () => {
  it('finds exactly what a linear scan finds, including neighbours at every distance up to 31', () => {
    const next = rng(42);
    const bank = new HashBank();
    for (let i = 0; i < 20_000; i++) {
      bank.addRow({ hash: hashToHex(randomHash(next)), label: 'noise', source: `n${i}` });
    }
    const queries: Uint32Array[] = [];
    for (let d = 0; d <= 40; d++) {
      const q = randomHash(next);
      queries.push(q);
      bank.addRow({ hash: hashToHex(flipBits(q, d, next)), label: 'planted', source: `d${d}` });
    }
    for (const [d, q] of queries.entries()) {
      const fast = bank.query(q);
      const slow = bank.queryLinear(q);
      expect(fast).toEqual(slow);
      expect(fast.length).toBe(d <= 31 ? 1 : 0);
      if (d <= 31) expect(fast[0]).toMatchObject({ distance: d, row: { source: `d${d}` } });
    }
  });

  it('sees rows added after the index was built', () => {
    const next = rng(7);
    const bank = new HashBank();
    for (let i = 0; i < 5000; i++)
      bank.addRow({ hash: hashToHex(randomHash(next)), label: 'x', source: `${i}` });
    const q = randomHash(next);
    expect(bank.query(q)).toEqual([]);
    bank.addRow({ hash: hashToHex(flipBits(q, 12, next)), label: 'late', source: 'late' });
    expect(bank.query(q)[0]?.row.label).toBe('late');
  });

  it('round-trips through plain rows and refuses bad ones', () => {
    const rows: HashBankRow[] = [
      { hash: 'a'.repeat(64), label: 'csam', source: 'case-1' },
      { hash: 'b'.repeat(64), label: 'terror', source: 'list-2', variant: 'flipHorizontal' },
    ];
    const copy = HashBank.fromRows(HashBank.fromRows(rows).toRows());
    expect(copy.toRows()).toEqual(rows);
    expect(copy.size).toBe(2);
    expect(() => copy.addRow({ hash: 'xyz', label: 'a', source: 'b' })).toThrow(/64 hex digits/);
    expect(() => copy.addRow({ hash: 'a'.repeat(64), label: ' ', source: 'b' })).toThrow(/label/);
    expect(() => copy.query(new Uint32Array(8), -1)).toThrow(/maxDistance/);
  });
});

describe('hashToHex', () => {
  it("prints PDQ's slot 15 first, 4 lowercase digits a slot, and round-trips", () => {
    // Slot 0 is word 0's low half, slot 15 word 7's high half.
    const hash = Uint32Array.from([0x1234abcd, 0, 0, 0, 0, 0, 0, 0xf00d0009]);
    const hex = hashToHex(hash);
    expect(hex).toBe(`f00d0009${'0'.repeat(48)}1234abcd`);
    let s = 7;
    for (let i = 0; i < 200; i++) {
      const h = Uint32Array.from(
        { length: 8 },
        () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0),
      );
      expect(hashFromHex(hashToHex(h))).toEqual(h);
      expect(hashToHex(h)).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
