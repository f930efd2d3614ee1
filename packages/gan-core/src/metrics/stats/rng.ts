/**
 * Small seeded PRNG (datasets' mulberry32) so that metric subsets and shuffles are reproducible
 * run to run; statistical quality is ample for choosing subsets, it is not for cryptography.
 */
import { mulberry32 } from '@ganmod/datasets/prng';

export type Random = () => number;

/** Returns a generator of uniform floats in [0, 1) determined by `seed`. */
export function seededRandom(seed: number): Random {
  return mulberry32(seed);
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
