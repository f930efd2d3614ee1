/**
 * Latent arithmetic in plain JavaScript (no TensorFlow.js, no Node APIs): the workspace's one slerp
 * and its normal quantile (for the truncation trick). Sampling uses them on tensors' values, and
 * the dashboard's generator playground in the browser through `@ganmod/gan-core/latent`.
 */

/** `spherical` (slerp) or `linear` (lerp) interpolation. */
export type InterpolationMode = 'spherical' | 'linear';

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * `frames` points from `a` to `b` (both ends included). Spherical interpolation keeps the norm
 * typical of Gaussian latents (they live near a sphere); linear passes through low-norm vectors
 * that GANs render poorly. Nearly parallel endpoints fall back to linear (slerp degenerates).
 */
export function interpolateLatents(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  frames: number,
  mode: InterpolationMode = 'spherical',
): Float32Array[] {
  if (a.length !== b.length) {
    throw new RangeError(`latent sizes differ: ${a.length} vs ${b.length}`);
  }
  if (!Number.isInteger(frames) || frames < 2) {
    throw new RangeError(`frames must be an integer >= 2, got ${frames}`);
  }
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  const cos = Math.min(1, Math.max(-1, dot(a, b) / (na * nb || 1)));
  const omega = Math.acos(cos);
  const linear = mode === 'linear' || Math.sin(omega) < 1e-6;
  return Array.from({ length: frames }, (_, f) => {
    const t = f / (frames - 1);
    const [wa, wb] = linear
      ? [1 - t, t]
      : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
    return out;
  });
}

// Acklam's rational approximation of the normal quantile (relative error < 1.15e-9).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
] as const;
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
] as const;
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
] as const;
const D = [
  7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416,
] as const;
const P_LOW = 0.02425;

function tail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return (
    (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}

/** Φ⁻¹(p): the standard normal quantile, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (p < P_LOW) return tail(p);
  if (p > 1 - P_LOW) return -tail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** Φ(x): the standard normal CDF (Abramowitz & Stegun 26.2.17, absolute error < 7.5e-8). */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly =
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const upper = (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI)) * poly;
  return x >= 0 ? 1 - upper : upper;
}

/** Checks a truncation threshold: a positive number, Infinity meaning none. */
export function checkTruncation(threshold: number): void {
  if (!(threshold > 0)) throw new RangeError(`truncation must be > 0, got ${threshold}`);
}

/**
 * Inverse-CDF sampling of N(0, 1) truncated to [-threshold, threshold]: the returned function maps
 * a uniform `u` in [0, 1] to a truncated-normal value. Threshold Infinity is the plain normal.
 * @throws RangeError when the threshold is not positive.
 */
export function truncatedNormalFromUniform(threshold: number): (u: number) => number {
  checkTruncation(threshold);
  const low = threshold === Infinity ? 0 : normalCdf(-threshold);
  const width = 1 - 2 * low;
  // Keep p strictly inside (low, 1 - low) so that rounding never lands beyond ±threshold.
  return (u) =>
    Math.max(
      -threshold,
      Math.min(threshold, normalQuantile(low + width * Math.min(Math.max(u, 1e-7), 1 - 1e-7))),
    );
}

/**
 * A self-conditioned generator (models/self-conditioned.ts) reads its cluster off z[0], cut at
 * the increasing `thresholds`: cluster c is the interval between thresholds c - 1 and c. Returns
 * each cluster's share of z[0] ~ N(0, 1), which is how often the generator draws it.
 */
export function clusterSharesOf(thresholds: ArrayLike<number>): number[] {
  const cdf = [0, ...Array.from(thresholds, normalCdf), 1];
  return cdf.slice(1).map((p, c) => p - (cdf[c] as number));
}

/**
 * `z0` moved into cluster `c` of `thresholds` (see {@link clusterSharesOf}), keeping its rank: its
 * CDF value is rescaled into the cluster's CDF interval, so different latents stay different
 * inside the cluster and z0 = 0 lands in the cluster's middle. How the playground and the sample
 * grids draw one cluster.
 * @throws RangeError when `c` is not a cluster of `thresholds`.
 */
export function latentIntoCluster(z0: number, thresholds: ArrayLike<number>, c: number): number {
  if (!Number.isInteger(c) || c < 0 || c > thresholds.length)
    throw new RangeError(`cluster ${c} is not one of 0..${thresholds.length}`);
  const lower = c === 0 ? 0 : normalCdf(thresholds[c - 1] as number);
  const upper = c === thresholds.length ? 1 : normalCdf(thresholds[c] as number);
  const p = lower + (upper - lower) * normalCdf(z0);
  return normalQuantile(Math.min(Math.max(p, 1e-9), 1 - 1e-9));
}
