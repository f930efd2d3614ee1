/**
 * A small, fast, seeded pseudo-random generator (mulberry32) with the helpers the datasets need:
 * uniform floats, bounded integers, standard normals and Fisher-Yates shuffles.
 * Not cryptographic; chosen for reproducibility across platforms (pure 32-bit integer maths).
 *
 * The workspace's one mulberry32: this module imports nothing (no TensorFlow.js, no Node APIs), so
 * gan-core, moderation and the dashboard's browser code use it through `@ganmod/datasets/prng`.
 */

/**
 * mulberry32: uniform floats in [0, 1) from a 32-bit state started at `seed >>> 0`. The same seed
 * always gives the same sequence; nearby seeds give correlated first draws (scramble them first
 * where that matters, as {@link createRng} does).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
}

/** Hash any finite number to a 32-bit seed so fractional and negative seeds work too. */
function seedToUint32(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff) return seed >>> 0;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return (view.getUint32(0) ^ Math.imul(view.getUint32(4), 0x9e3779b1)) >>> 0;
}

/**
 * Create a seeded generator. The same seed always yields the same sequence.
 * @param seed - any finite number.
 */
export function createRng(seed: number): Rng {
  // splitmix-style scramble so nearby seeds (0, 1, 2...) give unrelated streams.
  const next = mulberry32(Math.imul(seedToUint32(seed) ^ 0x5bd1e995, 0x27d4eb2d));
  let spareNormal: number | undefined;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      // 1 - next() is in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/**
 * A seeded permutation of `0..n-1` (Fisher-Yates). Same `(n, seed)` gives the same order.
 */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = createRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

/**
 * FNV-1a hash of a string mapped to [0, 1): a stable, order-independent way to put an item in the
 * train or test split of a set that has no official split.
 */
export function stableUnitHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // One extra avalanche round: FNV's low bits mix poorly for short, similar keys.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return (hash >>> 0) / 4294967296;
}
