import { trace } from './matrix.js';
import type { GaussianStats } from './moments.js';
import { traceSqrtProduct } from './sqrtm.js';

/**
 * Fréchet distance between the Gaussians fitted to two feature sets (FID when the features come
 * from a classifier's penultimate layer):
 *
 *   d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 sqrtm(S1 S2))
 *
 * Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
 * Equilibrium"; same definition as torch-fidelity's `fid_statistics_to_metric`. Returned as the
 * squared distance (the number papers call "FID"), clamped at 0 against round-off.
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: dims differ (${a.dim} vs ${b.dim})`);
  const n = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < n; i++) {
    const diff = (a.mean[i] as number) - (b.mean[i] as number);
    meanTerm += diff * diff;
  }
  const covTerm = trace(a.cov, n) + trace(b.cov, n) - 2 * traceSqrtProduct(a.cov, b.cov, n);
  return Math.max(meanTerm + covTerm, 0);
}
