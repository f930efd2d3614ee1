/**
 * Rényi-DP accountant for the Poisson-subsampled Gaussian mechanism (DP-SGD), after Mironov,
 * Talwar & Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism": the same
 * computation as `dp_accounting`'s `RdpAccountant` (TensorFlow Privacy) and Opacus' `rdp.py`:
 * integer orders by the binomial expansion, fractional orders by the two-sided series of Sec. 3.3,
 * composition by adding RDP over steps, and the improved RDP -> (ε, δ) conversion of Balle et al.
 * 2020 (Prop. 12) / Asoodeh et al. 2020, as `dp_accounting.rdp.compute_epsilon` does.
 * Neighbouring datasets differ by adding or removing one example.
 */
import { logComb, logErfc } from './special.js';

/** The RDP orders `dp_accounting` uses by default. */
export const DEFAULT_RDP_ORDERS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 53 }, (_, i) => 11 + i),
  128,
  256,
  512,
  1024,
];

function logAdd(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/** log A_α for integer α (binomial expansion), 0 < q < 1. */
function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  const log1mq = Math.log1p(-q);
  const logq = Math.log(q);
  for (let i = 0; i <= alpha; i++) {
    const coef = logComb(alpha, i) + i * logq + (alpha - i) * log1mq;
    logA = logAdd(logA, coef + (i * i - i) / (2 * sigma * sigma));
  }
  return logA;
}

/** log A_α for fractional α: the integrals over (-∞, z0] and [z0, ∞) as series (Sec. 3.3). */
function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const log1mq = Math.log1p(-q);
  const logq = Math.log(q);
  const s2 = Math.sqrt(2) * sigma;
  let lastS0 = -Infinity;
  let lastS1 = -Infinity;
  for (let i = 0; i < 1000; i++) {
    const coef = logComb(alpha, i);
    const j = alpha - i;
    const t0 = coef + i * logq + j * log1mq;
    const t1 = coef + j * logq + i * log1mq;
    const e0 = Math.log(0.5) + logErfc((i - z0) / s2);
    const e1 = Math.log(0.5) + logErfc((z0 - j) / s2);
    const s0 = t0 + (i * i - i) / (2 * sigma * sigma) + e0;
    const s1 = t1 + (j * j - j) / (2 * sigma * sigma) + e1;
    logA0 = logAdd(logA0, s0);
    logA1 = logAdd(logA1, s1);
    const total = logAdd(logA0, logA1);
    // Both series decreasing and negligible against the total: converged.
    if (s0 < lastS0 && s1 < lastS1 && Math.max(s0, s1) < total - 30) return total;
    lastS0 = s0;
    lastS1 = s1;
  }
  // Did not converge: this order is left out of the ε minimum (as dp_accounting does).
  return Infinity;
}

/**
 * RDP at each of `orders` of one step of the Poisson-subsampled Gaussian mechanism with sampling
 * rate `q` and noise multiplier `sigma` (noise std / L2 sensitivity).
 */
export function rdpSubsampledGaussian(
  q: number,
  sigma: number,
  orders: readonly number[] = DEFAULT_RDP_ORDERS,
): number[] {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sampling rate must be in [0, 1], got ${q}`);
  if (!(sigma >= 0)) throw new RangeError(`noise multiplier must be >= 0, got ${sigma}`);
  return orders.map((alpha) => {
    if (!(alpha > 1)) throw new RangeError(`RDP orders must be > 1, got ${alpha}`);
    if (q === 0) return 0;
    if (!Number.isFinite(alpha) || sigma === 0) return Infinity;
    if (q === 1) return alpha / (2 * sigma * sigma);
    const logA = Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
    return logA / (alpha - 1);
  });
}

/**
 * RDP -> (ε, δ) conversions: `improved` (Balle et al. 2020 Prop. 12; dp_accounting and Opacus
 * today, the default) or `classic` (Mironov 2017 Prop. 3: ε = r - log δ / (α - 1); what TensorFlow
 * Privacy's older `get_privacy_spent` and published tables used). Improved is never larger.
 */
export type RdpConversion = 'improved' | 'classic';

/**
 * The smallest ε such that RDP `rdp` at `orders` implies (ε, δ)-DP, with the order that gives it
 * (improved conversion: ε = r + log(1 - 1/α) - log(δ·α)/(α - 1), for α > 1.01).
 */
export function epsilonFromRdp(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: RdpConversion = 'improved',
): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  if (orders.length !== rdp.length || orders.length === 0)
    throw new RangeError('orders and rdp must be non-empty and of the same length');
  let best = { epsilon: Infinity, order: orders[0] as number };
  orders.forEach((a, i) => {
    const r = rdp[i] as number;
    let eps: number;
    if (r < 0) eps = 0;
    else if (conversion === 'classic') eps = r - Math.log(delta) / (a - 1);
    else if (delta * delta + Math.expm1(-r) > 0)
      eps = 0; // Bounded through the KL divergence: delta <= sqrt(1 - exp(-KL)).
    else if (a > 1.01) eps = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
    else eps = Infinity;
    if (eps < best.epsilon) best = { epsilon: eps, order: a };
  });
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}

/** What DP-SGD's accounting needs: sampling rate, noise multiplier, steps, target δ. */
export interface DpSgdSetting {
  /** Poisson sampling rate: expected batch size / dataset size. */
  sampleRate: number;
  /** Noise std divided by the per-example clip norm. */
  noiseMultiplier: number;
  /** Noised steps that read private data. */
  steps: number;
  delta: number;
  orders?: readonly number[];
  conversion?: RdpConversion;
}

/** ε of `steps` compositions of the subsampled Gaussian at (q, σ), for δ; 0 steps spend nothing. */
export function dpSgdEpsilon(setting: DpSgdSetting): { epsilon: number; order: number } {
  const orders = setting.orders ?? DEFAULT_RDP_ORDERS;
  if (!(Number.isInteger(setting.steps) && setting.steps >= 0))
    throw new RangeError(`steps must be a non-negative integer, got ${setting.steps}`);
  if (setting.steps === 0) return { epsilon: 0, order: orders[0] as number };
  const one = rdpSubsampledGaussian(setting.sampleRate, setting.noiseMultiplier, orders);
  return epsilonFromRdp(
    orders,
    one.map((r) => r * setting.steps),
    setting.delta,
    setting.conversion,
  );
}

/**
 * Accumulates RDP step by step (composition is addition at each order), for runs whose reports
 * need ε after every step. Its whole state is the step count, so a resumed run rebuilds it exactly.
 */
export class RdpAccountant {
  private readonly perStep: number[];
  private count = 0;

  constructor(
    readonly sampleRate: number,
    readonly noiseMultiplier: number,
    readonly orders: readonly number[] = DEFAULT_RDP_ORDERS,
  ) {
    this.perStep = rdpSubsampledGaussian(sampleRate, noiseMultiplier, orders);
  }

  /** Noised steps composed so far. */
  get steps(): number {
    return this.count;
  }

  /** Records `n` more noised steps. */
  step(n = 1): void {
    this.count += n;
  }

  /** Sets the step count (a resumed run). */
  restore(steps: number): void {
    this.count = steps;
  }

  /** ε for `delta` after the steps so far. */
  epsilon(delta: number): number {
    if (this.count === 0) return 0;
    return epsilonFromRdp(
      this.orders,
      this.perStep.map((r) => r * this.count),
      delta,
    ).epsilon;
  }
}

/**
 * The smallest noise multiplier whose run of `steps` at `sampleRate` stays within `targetEpsilon`
 * at `delta`, by bisection to a relative precision of 1e-4 on σ (ε is decreasing in σ).
 * @throws RangeError when even σ = 1e4 does not reach the target.
 */
export function noiseForEpsilon(opts: {
  targetEpsilon: number;
  delta: number;
  sampleRate: number;
  steps: number;
  orders?: readonly number[];
}): number {
  const { targetEpsilon } = opts;
  if (!(targetEpsilon > 0)) throw new RangeError(`target ε must be > 0, got ${targetEpsilon}`);
  const eps = (sigma: number): number => dpSgdEpsilon({ ...opts, noiseMultiplier: sigma }).epsilon;
  let hi = 1;
  while (eps(hi) > targetEpsilon) {
    hi *= 2;
    if (hi > 1e4)
      throw new RangeError(
        `no noise multiplier up to 1e4 reaches ε = ${targetEpsilon} (δ = ${opts.delta}, q = ${opts.sampleRate}, ${opts.steps} steps)`,
      );
  }
  let lo = hi / 2;
  if (eps(lo) <= targetEpsilon) {
    while (lo > 1e-3 && eps(lo) <= targetEpsilon) lo /= 2;
  }
  while (hi - lo > 1e-4 * hi) {
    const mid = (lo + hi) / 2;
    if (eps(mid) > targetEpsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}
