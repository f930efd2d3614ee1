import type { FeatureMatrix } from './matrix.js';
import { sampleWithoutReplacement, seededRandom } from './rng.js';
import { meanStd, type MeanStd } from './summary.js';

/** Options of {@link kernelInceptionDistance}; defaults follow torch-fidelity. */
export interface KidOptions {
  /** Number of random subset pairs the MMD is averaged over (default 100). */
  readonly subsets?: number;
  /** Samples per subset (default 1000, lowered to the smaller set's size when that is smaller). */
  readonly subsetSize?: number;
  /** Polynomial kernel degree (default 3). */
  readonly degree?: number;
  /** Kernel scale (default 1 / feature dimension). */
  readonly gamma?: number;
  /** Kernel offset (default 1). */
  readonly coef0?: number;
  /** Seed for choosing subsets (default 2020, torch-fidelity's). */
  readonly seed?: number;
  /**
   * Kernel values are computed once for all sample pairs when n1^2 + n2^2 + n1 n2 is at most
   * this (default 48M entries, ~190 MB as Float32), else per subset (slower, less memory).
   */
  readonly maxCachedKernelEntries?: number;
}

/** KID estimate: mean and spread of the unbiased MMD^2 over the subsets. */
export interface KidResult extends MeanStd {
  readonly subsets: number;
  readonly subsetSize: number;
}

const DEFAULT_MAX_CACHED_KERNEL_ENTRIES = 48_000_000;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs"): the unbiased
 * estimator of the squared Maximum Mean Discrepancy with the polynomial kernel
 * k(x, y) = (gamma x.y + coef0)^degree, averaged over random subsets, as torch-fidelity computes
 * it. Unlike FID it has an unbiased estimator, so it is comparable across sample sizes; it can be
 * slightly negative when the two sets come from the same distribution.
 */
export function kernelInceptionDistance(
  a: FeatureMatrix,
  b: FeatureMatrix,
  options: KidOptions = {},
): KidResult {
  if (a.cols !== b.cols) throw new RangeError(`KID: dims differ (${a.cols} vs ${b.cols})`);
  const d = a.cols;
  const subsets = options.subsets ?? 100;
  const m = Math.min(options.subsetSize ?? 1000, a.rows, b.rows);
  if (m < 2) throw new RangeError('KID: need at least 2 samples in each set');
  const kernel = polynomialKernel(d, options);
  const random = seededRandom(options.seed ?? 2020);

  const entries = a.rows * a.rows + b.rows * b.rows + a.rows * b.rows;
  const full =
    entries <= (options.maxCachedKernelEntries ?? DEFAULT_MAX_CACHED_KERNEL_ENTRIES)
      ? {
          xx: kernelMatrix(a, a, kernel),
          yy: kernelMatrix(b, b, kernel),
          xy: kernelMatrix(a, b, kernel),
        }
      : undefined;

  const mmds = new Float64Array(subsets);
  for (let s = 0; s < subsets; s++) {
    const ia = sampleWithoutReplacement(a.rows, m, random);
    const ib = sampleWithoutReplacement(b.rows, m, random);
    mmds[s] = full
      ? unbiasedMmd2(
          (i, j) => full.xx[(ia[i] as number) * a.rows + (ia[j] as number)] as number,
          (i, j) => full.yy[(ib[i] as number) * b.rows + (ib[j] as number)] as number,
          (i, j) => full.xy[(ia[i] as number) * b.rows + (ib[j] as number)] as number,
          m,
        )
      : subsetMmd2(a, ia, b, ib, kernel);
  }
  return { ...meanStd(mmds), subsets, subsetSize: m };
}

type Kernel = (
  x: Float32Array | Float64Array,
  xo: number,
  y: Float32Array | Float64Array,
  yo: number,
) => number;

function polynomialKernel(d: number, options: KidOptions): Kernel {
  const gamma = options.gamma ?? 1 / d;
  const coef0 = options.coef0 ?? 1;
  const degree = options.degree ?? 3;
  return (x, xo, y, yo) => {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += (x[xo + k] as number) * (y[yo + k] as number);
    return (gamma * dot + coef0) ** degree;
  };
}

/** All kernel values between the rows of x and y (symmetric fill when x === y). */
function kernelMatrix(x: FeatureMatrix, y: FeatureMatrix, kernel: Kernel): Float32Array {
  const out = new Float32Array(x.rows * y.rows);
  const d = x.cols;
  const symmetric = x === y;
  for (let i = 0; i < x.rows; i++) {
    for (let j = symmetric ? i : 0; j < y.rows; j++) {
      const k = kernel(x.data, i * d, y.data, j * d);
      out[i * y.rows + j] = k;
      if (symmetric) out[j * y.rows + i] = k;
    }
  }
  return out;
}

function subsetMmd2(
  a: FeatureMatrix,
  ia: Int32Array,
  b: FeatureMatrix,
  ib: Int32Array,
  kernel: Kernel,
): number {
  const d = a.cols;
  const at = (idx: Int32Array, i: number) => (idx[i] as number) * d;
  return unbiasedMmd2(
    (i, j) => kernel(a.data, at(ia, i), a.data, at(ia, j)),
    (i, j) => kernel(b.data, at(ib, i), b.data, at(ib, j)),
    (i, j) => kernel(a.data, at(ia, i), b.data, at(ib, j)),
    ia.length,
  );
}

/**
 * Unbiased MMD^2 from kernel lookups (exported for the TF.js-accelerated KID) over m samples per side:
 * (sum_{i != j} Kxx + sum_{i != j} Kyy) / (m (m - 1)) - 2 sum_{i, j} Kxy / m^2.
 */
export function unbiasedMmd2(
  kxx: (i: number, j: number) => number,
  kyy: (i: number, j: number) => number,
  kxy: (i: number, j: number) => number,
  m: number,
): number {
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      sxx += kxx(i, j);
      syy += kyy(i, j);
    }
    for (let j = 0; j < m; j++) sxy += kxy(i, j);
  }
  // The off-diagonal sums were taken over the upper triangle: double them.
  return (2 * (sxx + syy)) / (m * (m - 1)) - (2 * sxy) / (m * m);
}
