/**
 * Small seeded PRNG (mulberry32) so that metric subsets and shuffles are reproducible run to run;
 * statistical quality is ample for choosing subsets, it is not for cryptography.
 */
export type Random = () => number;

/** Returns a generator of uniform floats in [0, 1) determined by `seed`. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct indices from [0, n), in random order (partial Fisher-Yates). */
export function sampleWithoutReplacement(n: number, count: number, random: Random): Int32Array {
  if (count > n) throw new RangeError(`cannot draw ${count} distinct indices from ${n}`);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = t;
  }
  return pool.slice(0, count);
}

/** A random permutation of [0, n). */
export function permutation(n: number, random: Random): Int32Array {
  return sampleWithoutReplacement(n, n, random);
}
