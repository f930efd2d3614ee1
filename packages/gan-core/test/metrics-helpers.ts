import {
  featureMatrix,
  seededRandom,
  type FeatureMatrix,
  type Random,
} from '../src/metrics/stats/index.js';

/** Standard normal draws by Box-Muller from a seeded generator. */
export function normal(random: Random): () => number {
  return () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** n samples of N(mean, diag(variances)). */
export function diagonalGaussian(
  n: number,
  mean: readonly number[],
  variances: readonly number[],
  seed: number,
): FeatureMatrix {
  const d = mean.length;
  const z = normal(seededRandom(seed));
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++)
      data[i * d + k] = (mean[k] as number) + Math.sqrt(variances[k] as number) * z();
  }
  return featureMatrix(data, n, d);
}

/** A random symmetric n x n matrix with entries in [-1, 1). */
export function randomSymmetric(n: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = 2 * random() - 1;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** B B^T for a random n x rank B: symmetric PSD of the given rank. */
export function randomPsd(n: number, rank: number, seed: number): Float64Array {
  const z = normal(seededRandom(seed));
  const b = Array.from({ length: n * rank }, z);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += (b[i * rank + k] as number) * (b[j * rank + k] as number);
      a[i * n + j] = s;
    }
  }
  return a;
}

/** Largest absolute entry-wise difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
