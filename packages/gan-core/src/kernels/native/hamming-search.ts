/**
 * Multi-index Hamming search over 256-bit hashes (Norouzi et al., "Fast search in Hamming space
 * with multi-index hashing"), PDQ's size. The 256 bits are split into 16 chunks of 16 bits; by the
 * pigeonhole principle two hashes within distance r agree to within floor(r / 16) bits on at least
 * one chunk, so looking up each chunk's value and its neighbours within that radius finds every
 * candidate. With r = 31 that is 17 bucket reads per chunk instead of a scan of the whole set.
 *
 * The addon's loop (native/hamming.cc, `HammingSearch`) returns exactly what
 * {@link hammingSearchJs} returns, in the same order; it gathers a query's candidates first and
 * prefetches their hashes ahead of the comparisons, which at a million hashes is what the time goes
 * to (each candidate is a random read into a 32 MB array).
 */
import { loadNativeAddon, type NativeAddon } from './addon.js';

/** 32-bit words per hash. */
export const HASH_WORDS = 8;
const CHUNKS = 16;
const CHUNK_VALUES = 1 << 16;
/** The addon serves chunk radii up to 2 (maxDistance < 48); larger ones run in JavaScript. */
const NATIVE_MAX_DISTANCE = 47;

/**
 * The chunk index of the first `indexed` hashes of a word array: the ids of the hashes whose chunk
 * `c` equals `v` are `ids[c * indexed + offsets[c * 65537 + v] .. c * indexed + offsets[c * 65537 +
 * v + 1])`, ascending.
 */
export interface HammingIndex {
  indexed: number;
  offsets: Uint32Array;
  ids: Uint32Array;
}

/** One hit: the hash's position, its distance and the query (by position) that gave it. */
export interface HammingHit {
  id: number;
  distance: number;
  query: number;
}

/** Bits set in a 32-bit word (SWAR popcount): the JavaScript side of every Hamming distance. */
export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Builds the chunk index of `words`' first `count` hashes (a counting sort per chunk, O(n)). */
export function buildHammingIndex(words: Uint32Array, count: number): HammingIndex {
  if (!Number.isInteger(count) || count < 0 || count * HASH_WORDS > words.length) {
    throw new RangeError(`buildHammingIndex: ${count} hashes do not fit ${words.length} words`);
  }
  const offsets = new Uint32Array(CHUNKS * (CHUNK_VALUES + 1));
  const ids = new Uint32Array(CHUNKS * count);
  const cursor = new Uint32Array(CHUNK_VALUES);
  for (let c = 0; c < CHUNKS; c++) {
    const w = c >> 1;
    const shift = c & 1 ? 16 : 0;
    const o = c * (CHUNK_VALUES + 1);
    for (let id = 0; id < count; id++) {
      offsets[o + ((words[id * HASH_WORDS + w]! >>> shift) & 0xffff) + 1]!++;
    }
    for (let v = 0; v < CHUNK_VALUES; v++) offsets[o + v + 1]! += offsets[o + v]!;
    cursor.set(offsets.subarray(o, o + CHUNK_VALUES));
    const base = c * count;
    for (let id = 0; id < count; id++) {
      ids[base + cursor[(words[id * HASH_WORDS + w]! >>> shift) & 0xffff]!++] = id;
    }
  }
  return { indexed: count, offsets, ids };
}

/** The 16-bit keys within Hamming `radius` of `value`: itself, then one flip, then two. */
function chunkKeys(value: number, radius: number): number[] {
  const keys = [value];
  if (radius >= 1) {
    for (let a = 0; a < 16; a++) {
      const va = value ^ (1 << a);
      keys.push(va);
      if (radius >= 2) for (let b = a + 1; b < 16; b++) keys.push(va ^ (1 << b));
    }
  }
  if (radius >= 3) {
    // Large thresholds: every key at distance 3..radius (slow, and not what matching uses).
    for (let v = 0; v < CHUNK_VALUES; v++) {
      const d = popcount32(v ^ value);
      if (d >= 3 && d <= radius) keys.push(v);
    }
  }
  return keys;
}

/** The JavaScript implementation (the addon's where it is not built, or for radii above 2). */
export function hammingSearchJs(
  words: Uint32Array,
  total: number,
  index: HammingIndex,
  queries: Uint32Array,
  maxDistance: number,
): HammingHit[] {
  const found = new Map<number, { distance: number; query: number }>();
  const radius = Math.floor(maxDistance / CHUNKS);
  const { indexed: n, offsets, ids } = index;
  const record = (id: number, d: number, q: number) => {
    const prior = found.get(id);
    if (!prior || d < prior.distance) found.set(id, { distance: d, query: q });
  };
  for (let q = 0; q * HASH_WORDS < queries.length; q++) {
    const at = q * HASH_WORDS;
    const h0 = queries[at]!;
    const h1 = queries[at + 1]!;
    const h2 = queries[at + 2]!;
    const h3 = queries[at + 3]!;
    const h4 = queries[at + 4]!;
    const h5 = queries[at + 5]!;
    const h6 = queries[at + 6]!;
    const h7 = queries[at + 7]!;
    for (let c = 0; n > 0 && c < CHUNKS; c++) {
      const word = queries[at + (c >> 1)]!;
      const o = c * (CHUNK_VALUES + 1);
      const base = c * n;
      for (const key of chunkKeys(c & 1 ? word >>> 16 : word & 0xffff, radius)) {
        for (let p = offsets[o + key]!, end = offsets[o + key + 1]!; p < end; p++) {
          // No "seen" marks: a far entry rarely shares two chunks with the query, so verifying it
          // twice is cheaper than a random write per candidate; `found` keeps each entry once.
          const id = ids[base + p]!;
          const b = id * HASH_WORDS;
          // Early exit half-way: most candidates are far.
          let d =
            popcount32(h0 ^ words[b]!) +
            popcount32(h1 ^ words[b + 1]!) +
            popcount32(h2 ^ words[b + 2]!) +
            popcount32(h3 ^ words[b + 3]!);
          if (d > maxDistance) continue;
          d +=
            popcount32(h4 ^ words[b + 4]!) +
            popcount32(h5 ^ words[b + 5]!) +
            popcount32(h6 ^ words[b + 6]!) +
            popcount32(h7 ^ words[b + 7]!);
          if (d <= maxDistance) record(id, d, q);
        }
      }
    }
    for (let id = n; id < total; id++) {
      let d = 0;
      for (let w = 0; w < HASH_WORDS && d <= maxDistance; w++) {
        d += popcount32(queries[at + w]! ^ words[id * HASH_WORDS + w]!);
      }
      if (d <= maxDistance) record(id, d, q);
    }
  }
  return [...found].map(([id, f]) => ({ id, distance: f.distance, query: f.query }));
}

/**
 * Every hash among `words`' first `total` within `maxDistance` of any of `queries` (8 words each),
 * each once with its smallest distance and the first query reaching it, in the order first found.
 * The first `index.indexed` hashes are looked up through the index, the rest (added since it was
 * built) scanned.
 *
 * @param addon the native addon; `null` runs the JavaScript loop (same hits, same order).
 * @throws RangeError when the arrays do not hold what `total` and the index say, or
 *   `maxDistance` is not an integer in 0..255.
 */
export function hammingSearch(
  words: Uint32Array,
  total: number,
  index: HammingIndex,
  queries: Uint32Array,
  maxDistance: number,
  addon: NativeAddon | null = loadNativeAddon().module ?? null,
): HammingHit[] {
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 255) {
    throw new RangeError(
      `hammingSearch: maxDistance must be an integer in 0..255, got ${maxDistance}`,
    );
  }
  const { indexed, offsets, ids } = index;
  if (
    !Number.isInteger(total) ||
    !Number.isInteger(indexed) ||
    indexed < 0 ||
    total < indexed ||
    total * HASH_WORDS > words.length ||
    (indexed > 0 &&
      (offsets.length !== CHUNKS * (CHUNK_VALUES + 1) || ids.length !== CHUNKS * indexed))
  ) {
    throw new RangeError(
      `hammingSearch: ${total} hashes (${indexed} indexed) do not fit ${words.length} words and the index`,
    );
  }
  if (queries.length % HASH_WORDS !== 0) {
    throw new RangeError(
      `hammingSearch: the queries hold ${queries.length} words, not whole hashes of ${HASH_WORDS}`,
    );
  }
  if (!addon?.hammingSearch || maxDistance > NATIVE_MAX_DISTANCE) {
    return hammingSearchJs(words, total, index, queries, maxDistance);
  }
  const triples = addon.hammingSearch(
    words,
    [indexed, total, queries.length / HASH_WORDS, maxDistance],
    offsets,
    ids,
    queries,
  );
  const hits: HammingHit[] = new Array<HammingHit>(triples.length / 3);
  for (let i = 0; i < hits.length; i++) {
    hits[i] = { id: triples[3 * i]!, distance: triples[3 * i + 1]!, query: triples[3 * i + 2]! };
  }
  return hits;
}
