import * as tf from '@tensorflow/tfjs';
import type { KidOptions, KidResult } from './stats/kid.js';
import type { FeatureMatrix } from './stats/matrix.js';
import { sampleWithoutReplacement, seededRandom } from './stats/rng.js';
import { meanStd } from './stats/summary.js';

/**
 * {@link kernelInceptionDistance} with the Gram matrices of each subset computed on the active
 * TF.js backend (float32 matmuls: ~100x faster than JS loops at 1000 x 128), while the kernel and
 * the MMD sums stay in float64. Same subsets, same seed, same result up to float32 rounding of the
 * dot products (relative ~1e-6). This is what {@link compareEmbeddings} uses.
 */
export async function kernelInceptionDistanceOnBackend(
  a: FeatureMatrix,
  b: FeatureMatrix,
  options: KidOptions = {},
): Promise<KidResult> {
  if (a.cols !== b.cols) throw new RangeError(`KID: dims differ (${a.cols} vs ${b.cols})`);
  const d = a.cols;
  const subsets = options.subsets ?? 100;
  const m = Math.min(options.subsetSize ?? 1000, a.rows, b.rows);
  if (m < 2) throw new RangeError('KID: need at least 2 samples in each set');
  const gamma = options.gamma ?? 1 / d;
  const coef0 = options.coef0 ?? 1;
  const degree = options.degree ?? 3;
  const random = seededRandom(options.seed ?? 2020);

  const mmds = new Float64Array(subsets);
  for (let s = 0; s < subsets; s++) {
    // Same draw order as the JS version: a's subset, then b's.
    const ia = sampleWithoutReplacement(a.rows, m, random);
    const ib = sampleWithoutReplacement(b.rows, m, random);
    const x = gather(a, ia);
    const y = gather(b, ib);
    const grams = tf.tidy(() => {
      const xt = tf.tensor2d(x.rows, [m, d]);
      const yt = tf.tensor2d(y.rows, [m, d]);
      const xT = tf.tensor2d(x.transposed, [d, m]);
      const yT = tf.tensor2d(y.transposed, [d, m]);
      return [tf.matMul(xt, xT), tf.matMul(yt, yT), tf.matMul(xt, yT)];
    });
    try {
      const [gxx, gyy, gxy] = (await Promise.all(grams.map((g) => g.data<'float32'>()))) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const sxx = kernelSum(gxx, gamma, coef0, degree) - kernelTrace(gxx, m, gamma, coef0, degree);
      const syy = kernelSum(gyy, gamma, coef0, degree) - kernelTrace(gyy, m, gamma, coef0, degree);
      const sxy = kernelSum(gxy, gamma, coef0, degree);
      mmds[s] = (sxx + syy) / (m * (m - 1)) - (2 * sxy) / (m * m);
    } finally {
      tf.dispose(grams);
    }
  }
  return { ...meanStd(mmds), subsets, subsetSize: m };
}

/** The chosen rows as a contiguous m x d block and its d x m transpose (float32 for upload). */
function gather(
  f: FeatureMatrix,
  idx: Int32Array,
): { rows: Float32Array; transposed: Float32Array } {
  const d = f.cols;
  const m = idx.length;
  const rows = new Float32Array(m * d);
  const transposed = new Float32Array(d * m);
  for (let i = 0; i < m; i++) {
    const o = (idx[i] as number) * d;
    for (let k = 0; k < d; k++) {
      const v = f.data[o + k] as number;
      rows[i * d + k] = v;
      transposed[k * m + i] = v;
    }
  }
  return { rows, transposed };
}

/** Sum of (gamma g + coef0)^degree over a Gram matrix, in float64; the cube is unrolled (hot loop). */
function kernelSum(gram: Float32Array, gamma: number, coef0: number, degree: number): number {
  let sum = 0;
  if (degree === 3) {
    for (let i = 0; i < gram.length; i++) {
      const t = gamma * (gram[i] as number) + coef0;
      sum += t * t * t;
    }
  } else {
    for (let i = 0; i < gram.length; i++) sum += (gamma * (gram[i] as number) + coef0) ** degree;
  }
  return sum;
}

function kernelTrace(
  gram: Float32Array,
  m: number,
  gamma: number,
  coef0: number,
  degree: number,
): number {
  let sum = 0;
  for (let i = 0; i < m; i++) sum += (gamma * (gram[i * m + i] as number) + coef0) ** degree;
  return sum;
}
