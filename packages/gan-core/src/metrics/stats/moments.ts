import type { FeatureMatrix } from './matrix.js';

/** Mean and covariance of a feature set: what FID compares. */
export interface GaussianStats {
  /** Feature dimension d. */
  readonly dim: number;
  /** Number of samples the statistics were computed from. */
  readonly count: number;
  /** Mean vector, length d. */
  readonly mean: Float64Array;
  /** Unbiased (n - 1) covariance, row-major d x d, as numpy's `np.cov(rowvar=False)`. */
  readonly cov: Float64Array;
}

/** Per-column mean of a feature matrix, accumulated in Float64. */
export function featureMean(f: FeatureMatrix): Float64Array {
  const { rows, cols, data } = f;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) mean[c] = (mean[c] as number) + (data[o + c] as number);
  }
  if (rows > 0) for (let c = 0; c < cols; c++) mean[c] = (mean[c] as number) / rows;
  return mean;
}

/**
 * Mean and unbiased covariance of the rows of `f`. Two-pass (centre first, then accumulate the
 * outer products) to avoid the cancellation of the one-pass E[xx^T] - mu mu^T formula.
 * @throws RangeError with fewer than two samples (the covariance is undefined).
 */
export function gaussianStats(f: FeatureMatrix): GaussianStats {
  const { rows, cols, data } = f;
  if (rows < 2) throw new RangeError(`gaussianStats: need at least 2 samples, got ${rows}`);
  const mean = featureMean(f);
  const cov = new Float64Array(cols * cols);
  const centred = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) centred[c] = (data[o + c] as number) - (mean[c] as number);
    // Upper triangle only; mirrored below.
    for (let i = 0; i < cols; i++) {
      const xi = centred[i] as number;
      if (xi === 0) continue;
      const row = i * cols;
      for (let j = i; j < cols; j++)
        cov[row + j] = (cov[row + j] as number) + xi * (centred[j] as number);
    }
  }
  const denom = rows - 1;
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      const v = (cov[i * cols + j] as number) / denom;
      cov[i * cols + j] = v;
      cov[j * cols + i] = v;
    }
  }
  return { dim: cols, count: rows, mean, cov };
}
