/**
 * Multi-index Hamming search (src/kernels/native/hamming-search.ts, native/hamming.cc
 * `HammingSearch`): the addon and the JavaScript loop return the same hits in the same order, both
 * equal a brute-force scan at every chunk radius, hashes added after the index was built are found
 * too, and arrays that do not fit their geometry are refused, by the addon too when called directly.
 */
import { describe, expect, it } from 'vitest';
import { buildHammingIndex, hammingSearch, loadNativeAddon } from '../src/backend/index.js';
import type { HammingHit } from '../src/backend/index.js';

/** A deterministic pseudo-random source (LCG) so a failure reproduces. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

function distance(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  let d = 0;
  for (let w = 0; w < 8; w++) {
    let x = (a[ai * 8 + w]! ^ b[bi * 8 + w]!) >>> 0;
    for (; x; x &= x - 1) d++;
  }
  return d;
}

/** The hits by brute force: each id with its smallest distance and the first query reaching it. */
function bruteForce(words: Uint32Array, total: number, queries: Uint32Array, max: number) {
  const best = new Map<number, { distance: number; query: number }>();
  for (let q = 0; q < queries.length / 8; q++) {
    for (let id = 0; id < total; id++) {
      const d = distance(queries, q, words, id);
      const prior = best.get(id);
      if (d <= max && (!prior || d < prior.distance)) best.set(id, { distance: d, query: q });
    }
  }
  return [...best].map(([id, f]) => ({ id, ...f })).sort((a, b) => a.id - b.id);
}

const byId = (hits: HammingHit[]) => [...hits].sort((a, b) => a.id - b.id);

/**
 * `total` random hashes, the first `indexed` of them indexed, and `queries` queries each planted
 * near a stored hash at distance 0..max+4 (so some are just outside), flipping bits across chunks.
 */
function fixture(total: number, indexed: number, queryCount: number, max: number, seed: number) {
  const next = lcg(seed);
  const words = new Uint32Array(total * 8).map(() => next());
  const queries = new Uint32Array(queryCount * 8);
  for (let q = 0; q < queryCount; q++) {
    const target = next() % total;
    queries.set(words.subarray(target * 8, target * 8 + 8), q * 8);
    const flips = next() % (max + 5);
    for (let f = 0; f < flips; f++) {
      const bit = next() % 256;
      queries[q * 8 + (bit >> 5)] = (queries[q * 8 + (bit >> 5)]! ^ (1 << (bit & 31))) >>> 0;
    }
  }
  return { words, queries, index: buildHammingIndex(words, indexed) };
}

const addon = loadNativeAddon().module ?? null;

describe('hammingSearch', () => {
  it.each([
    { max: 10, label: 'radius 0' },
    { max: 31, label: 'radius 1 (PDQ)' },
    { max: 40, label: 'radius 2' },
  ])('equals a brute-force scan at $label, with an unindexed tail', ({ max }) => {
    const { words, queries, index } = fixture(3000, 2600, 40, max, max);
    const expected = bruteForce(words, 3000, queries, max);
    expect(expected.length).toBeGreaterThan(20); // most planted neighbours are within reach
    const js = hammingSearch(words, 3000, index, queries, max, null);
    expect(byId(js)).toEqual(expected);
    if (addon?.hammingSearch) {
      // Same hits in the same order, not only the same set.
      expect(hammingSearch(words, 3000, index, queries, max, addon)).toEqual(js);
    }
  });

  it('keeps the smallest distance and the first query reaching it, as dihedral lookups need', () => {
    // Eight queries around the same stored hashes (an upload's 8 transforms), with ties: query 2
    // and query 5 are the same hash, query 6 the target itself after query 7's farther copy.
    const next = lcg(11);
    const words = new Uint32Array(500 * 8).map(() => next());
    const flip = (h: Uint32Array, bits: number[]) => {
      const out = h.slice();
      for (const b of bits) out[b >> 5] = (out[b >> 5]! ^ (1 << (b & 31))) >>> 0;
      return out;
    };
    const target = words.slice(42 * 8, 43 * 8);
    const near = flip(target, [3, 70, 140]);
    const queries = new Uint32Array(8 * 8);
    [
      flip(target, [1, 40, 80, 120, 160, 200, 240, 250, 255]),
      flip(target, [5, 17, 33, 49, 65, 81, 97]),
      near,
      flip(target, [0, 31, 32, 63, 64, 95, 96, 127, 128, 159, 160]),
      flip(target, [2, 9]),
      near,
      target,
      flip(target, [7, 8, 9, 10]),
    ].forEach((q, i) => queries.set(q, i * 8));
    const index = buildHammingIndex(words, 450);
    const js = hammingSearch(words, 500, index, queries, 31, null);
    expect(js.find((h) => h.id === 42)).toEqual({ id: 42, distance: 0, query: 6 });
    expect(byId(js)).toEqual(bruteForce(words, 500, queries, 31));
    // Ties: the first query at the smallest distance wins (queries 4 at 2 bits before 6 at 0 is
    // not a tie; drop the exact one to see 4 win over nothing closer).
    const withoutExact = queries.slice(0, 6 * 8);
    expect(
      hammingSearch(words, 500, index, withoutExact, 31, null).find((h) => h.id === 42),
    ).toEqual({ id: 42, distance: 2, query: 4 });
    const tied = new Uint32Array(3 * 8);
    [near, flip(target, [1, 2, 3]), near].forEach((q, i) => tied.set(q, i * 8));
    expect(hammingSearch(words, 500, index, tied, 31, null).find((h) => h.id === 42)).toEqual({
      id: 42,
      distance: 3,
      query: 0,
    });
    if (addon?.hammingSearch) {
      expect(hammingSearch(words, 500, index, queries, 31, addon)).toEqual(js);
      expect(hammingSearch(words, 500, index, tied, 31, addon)).toEqual(
        hammingSearch(words, 500, index, tied, 31, null),
      );
      // The same target past the indexed part, in the scanned tail.
      const tail = buildHammingIndex(words, 40);
      expect(hammingSearch(words, 500, tail, queries, 31, addon)).toEqual(
        hammingSearch(words, 500, tail, queries, 31, null),
      );
    }
  });

  it('answers above the addon radius in JavaScript, and with nothing indexed', () => {
    const { words, queries } = fixture(400, 400, 6, 50, 7);
    const none = buildHammingIndex(words, 0);
    const expected = bruteForce(words, 400, queries, 50);
    expect(byId(hammingSearch(words, 400, buildHammingIndex(words, 400), queries, 50))).toEqual(
      expected,
    );
    expect(byId(hammingSearch(words, 400, none, queries, 50))).toEqual(expected);
    expect(byId(hammingSearch(words, 400, none, queries, 31))).toEqual(
      bruteForce(words, 400, queries, 31),
    );
  });

  it('refuses arrays that do not fit the geometry', () => {
    const { words, queries, index } = fixture(100, 100, 2, 31, 3);
    expect(() => hammingSearch(words, 101, index, queries, 31)).toThrow(/do not fit/);
    expect(() => hammingSearch(words, 100, { ...index, indexed: -1 }, queries, 31)).toThrow(
      /do not fit/,
    );
    expect(() => hammingSearch(words, 100, index, queries.subarray(0, 12), 31)).toThrow(
      /not whole hashes/,
    );
    expect(() => hammingSearch(words, 100, index, queries, 31.5)).toThrow(/maxDistance/);
    expect(() => buildHammingIndex(words, 101)).toThrow(/do not fit/);
    if (addon?.hammingSearch) {
      // Called directly, the addon checks too rather than read past an array.
      expect(() =>
        addon.hammingSearch!(words, [100, 200, 2, 31], index.offsets, index.ids, queries),
      ).toThrow(/does not fit/);
      expect(() =>
        addon.hammingSearch!(words, [100, 100, 2, 60], index.offsets, index.ids, queries),
      ).toThrow(/does not fit/);
      // A query count whose size in words would wrap around.
      expect(() =>
        addon.hammingSearch!(words, [0, 0, 2 ** 61, 31], index.offsets, index.ids, queries),
      ).toThrow(/does not fit/);
      // A corrupt index (bucket ends and ids past the indexed hashes) reads nothing outside the
      // arrays: candidates it names that do not exist are skipped, the scanned tail still answers.
      const corrupt = {
        offsets: new Uint32Array(index.offsets.length).fill(0xffffffff),
        ids: new Uint32Array(index.ids.length).fill(0xffffffff),
      };
      corrupt.offsets.fill(0, 0, 1);
      const inTail = words.slice(60 * 8, 64 * 8); // hashes 60-63 themselves
      const triples = addon.hammingSearch(
        words,
        [50, 100, 4, 31],
        corrupt.offsets,
        corrupt.ids,
        inTail,
      );
      const hits = Array.from({ length: triples.length / 3 }, (_, k) => ({
        id: triples[3 * k]!,
        distance: triples[3 * k + 1]!,
        query: triples[3 * k + 2]!,
      }));
      const expected = bruteForce(words, 100, inTail, 31).filter((h) => h.id >= 50);
      expect(expected.length).toBeGreaterThanOrEqual(4);
      expect(byId(hits)).toEqual(expected);
    }
  });

  // The test runner builds the addon where OpenBLAS is installed and says so (kernels.native).
  it.runIf(process.env.GANMOD_REQUIRE_NATIVE === '1')(
    'runs natively where the addon is built',
    () => {
      expect(typeof addon?.hammingSearch).toBe('function');
    },
  );
});
