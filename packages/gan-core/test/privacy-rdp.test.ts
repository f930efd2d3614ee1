import { describe, expect, it } from 'vitest';

import {
  DEFAULT_RDP_ORDERS,
  dpSgdEpsilon,
  epsilonFromRdp,
  noiseForEpsilon,
  RdpAccountant,
  type RdpConversion,
  rdpSubsampledGaussian,
} from '../src/privacy/rdp.js';
import { logErfc, logGamma } from '../src/privacy/special.js';
import reference from './privacy-reference.json' with { type: 'json' };

/** Opacus' default orders (its published test values were computed with these). */
const OPACUS_ORDERS = [
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => 12 + i),
];

/**
 * log A_α by direct numerical integration of its definition (Mironov et al. 2019, Sec. 3):
 * A_α = ∫ N(z; 0, σ²) ((1 - q) + q·exp((2z - 1) / 2σ²))^α dz, trapezoid rule in log space.
 * Independent of the series the accountant uses.
 */
function logAByIntegration(q: number, sigma: number, alpha: number): number {
  const lo = -40 * sigma - 2;
  const hi = alpha + 40 * sigma + 2;
  const h = Math.min(sigma / 400, 1e-2);
  const n = Math.ceil((hi - lo) / h);
  const logTerms: number[] = [];
  let max = -Infinity;
  for (let k = 0; k <= n; k++) {
    const z = lo + k * h;
    const logMu0 = -(z * z) / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI));
    const e = (2 * z - 1) / (2 * sigma * sigma);
    // log((1-q) + q e^e), stable for large e.
    const a = Math.log1p(-q);
    const b = Math.log(q) + e;
    const mix = Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    const t = logMu0 + alpha * mix + Math.log(k === 0 || k === n ? h / 2 : h);
    logTerms.push(t);
    if (t > max) max = t;
  }
  return max + Math.log(logTerms.reduce((s, t) => s + Math.exp(t - max), 0));
}

type ReferenceSetting = (typeof reference.settings)[number];

function ordersOf(s: ReferenceSetting): readonly number[] {
  if (s.orders === 'opacus') return OPACUS_ORDERS;
  if (s.orders === 'dp_accounting') return DEFAULT_RDP_ORDERS;
  throw new Error(`privacy-reference.json: unknown orders '${s.orders}'`);
}

function conversionOf(s: ReferenceSetting): RdpConversion {
  if (s.conversion === 'improved' || s.conversion === 'classic') return s.conversion;
  throw new Error(`privacy-reference.json: unknown conversion '${s.conversion}'`);
}

/** |ours - reference| / reference for one committed reference setting. */
function relativeDifference(s: ReferenceSetting): number {
  const { epsilon } = dpSgdEpsilon({
    sampleRate: s.sampleRate,
    noiseMultiplier: s.noiseMultiplier,
    steps: s.steps,
    delta: s.delta,
    orders: ordersOf(s),
    conversion: conversionOf(s),
  });
  return Math.abs(epsilon - s.epsilon) / s.epsilon;
}

function describeSetting(s: ReferenceSetting): string {
  return `${s.source}: q ${s.sampleRate} σ ${s.noiseMultiplier} T ${s.steps} δ ${s.delta}`;
}

describe('special functions', () => {
  it('match closed forms and tabulated values', () => {
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 10);
    // |Γ(-2.5)| = 8√π/15
    expect(logGamma(-2.5)).toBeCloseTo(Math.log((8 * Math.sqrt(Math.PI)) / 15), 10);
    expect(Math.exp(logErfc(1))).toBeCloseTo(0.157299207050285, 13);
    expect(Math.exp(logErfc(0.3))).toBeCloseTo(0.671373240540873, 13);
    expect(Math.exp(logErfc(-1))).toBeCloseTo(1.842700792949715, 13);
    // erfc(30) ~ 2.5646e-393 underflows; its log does not (asymptotic series to 1/x⁶).
    const x2 = 900;
    const tail = Math.log(1 - 1 / (2 * x2) + 3 / (4 * x2 * x2) - 15 / (8 * x2 ** 3));
    expect(logErfc(30)).toBeCloseTo(-x2 - Math.log(30 * Math.sqrt(Math.PI)) + tail, 9);
  });
});

describe('RDP of the subsampled Gaussian', () => {
  it('equals the numerically integrated A_α at integer and fractional orders', () => {
    const cases: [number, number, number][] = [
      [1e-3, 1, 2],
      [1e-4, 1, 1.5],
      [1e-6, 1, 27],
      [0.01, 10, 20],
      [0.1, 100, 20.5],
      [0.04, 1.5, 7.3],
      [0.01, 0.8, 32],
    ];
    for (const [q, sigma, alpha] of cases) {
      const [rdp] = rdpSubsampledGaussian(q, sigma, [alpha]);
      const expected = logAByIntegration(q, sigma, alpha) / (alpha - 1);
      expect(Math.abs((rdp as number) - expected)).toBeLessThanOrEqual(
        1e-4 * Math.abs(expected) + 1e-10,
      );
    }
  });

  it("matches dp_accounting's published compute_rdp values (q 0.01, σ 2.5, 50 steps; rtol 1e-4)", () => {
    // rdp_privacy_accountant_test.test_compute_rdp_poisson_sampled_gaussian
    const orders = [1.5, 2.5, 5, 50, 100];
    const expected = [6.70579741e-4, 1.0854871e-3, 2.18075656e-3, 2.38460375e-2, 1.67416308e2];
    const rdp = rdpSubsampledGaussian(0.01, 2.5, orders).map((r) => r * 50);
    rdp.forEach((r, i) => {
      const e = expected[i] as number;
      expect(Math.abs(r - e) / e).toBeLessThan(1e-4);
    });
  });

  it('is α/2σ² without sampling, 0 at q = 0 and infinite without noise', () => {
    expect(rdpSubsampledGaussian(1, 2, [3])[0]).toBeCloseTo(3 / 8, 12);
    expect(rdpSubsampledGaussian(0, 2, [3])[0]).toBe(0);
    expect(rdpSubsampledGaussian(0.1, 0, [3])[0]).toBe(Infinity);
    expect(() => rdpSubsampledGaussian(1.5, 1)).toThrow(/sampling rate/);
  });
});

describe('RDP -> (ε, δ)', () => {
  it("reproduces dp_accounting's pure-DP conversion (RDP 1.1 at orders 2..32, δ 1e-5)", () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const { epsilon, order } = epsilonFromRdp(
      orders,
      orders.map(() => 1.1),
      1e-5,
    );
    expect(epsilon).toBeCloseTo(1.32783806176, 9);
    expect(order).toBe(32);
  });

  it('gives ε = 1 at δ = 1e-6 for the Gaussian with σ = 4.530877117 (dp_accounting test)', () => {
    const orders = Array.from({ length: 99000 }, (_, i) => 1 + 0.001 * (i + 1));
    const rdp = rdpSubsampledGaussian(1, 4.530877117, orders);
    expect(epsilonFromRdp(orders, rdp, 1e-6).epsilon).toBeCloseTo(1, 4);
  });
});

describe('DP-SGD ε over steps', () => {
  it("agrees with Opacus' published ε (σ 1.5, q 0.04, 2250 steps, δ 1e-5: 7.3291) within 0.01%", () => {
    const { epsilon } = dpSgdEpsilon({
      sampleRate: 0.04,
      noiseMultiplier: 1.5,
      steps: 2250,
      delta: 1e-5,
      orders: OPACUS_ORDERS,
    });
    expect(Math.abs(epsilon - 7.32911117143) / 7.32911117143).toBeLessThan(1e-4);
  });

  it('agrees with the published values of Opacus and TensorFlow Privacy (committed reference settings) within 1%', () => {
    const published = reference.settings.filter((s) => s.source.startsWith('published'));
    expect(published.length).toBeGreaterThanOrEqual(5);
    for (const s of published) {
      expect(relativeDifference(s), describeSetting(s)).toBeLessThan(0.01);
    }
  });

  it("agrees with dp-accounting's RdpAccountant on the settings generated by scripts/privacy-reference.py within 1%", () => {
    // Issue 18: at least 6 settings computed once with Google's dp_accounting package.
    const generated = reference.settings.filter((s) => s.source.startsWith('dp-accounting'));
    expect(generated.length).toBeGreaterThanOrEqual(6);
    for (const s of generated) {
      expect(s.orders, describeSetting(s)).toBe('dp_accounting');
      expect(s.conversion, describeSetting(s)).toBe('improved');
      expect(relativeDifference(s), describeSetting(s)).toBeLessThan(0.01);
    }
  });

  it('the accountant composes step by step to the closed form and restores from a step count', () => {
    const accountant = new RdpAccountant(256 / 60000, 1.1);
    for (let i = 0; i < 100; i++) accountant.step();
    const direct = dpSgdEpsilon({
      sampleRate: 256 / 60000,
      noiseMultiplier: 1.1,
      steps: 100,
      delta: 1e-5,
    }).epsilon;
    expect(accountant.epsilon(1e-5)).toBeCloseTo(direct, 12);
    const resumed = new RdpAccountant(256 / 60000, 1.1);
    resumed.restore(100);
    expect(resumed.epsilon(1e-5)).toBe(accountant.epsilon(1e-5));
    accountant.step(900);
    expect(accountant.epsilon(1e-5)).toBeGreaterThan(direct);
    expect(new RdpAccountant(0.01, 1).epsilon(1e-5)).toBe(0);
  });
});

describe('noise for a target ε', () => {
  it("finds Opacus' published σ (ε 8, δ 1e-5, q 0.04, 90 epochs: 1.4253) within 1%", () => {
    const sigma = noiseForEpsilon({
      targetEpsilon: 8,
      delta: 1e-5,
      sampleRate: 0.04,
      steps: 2250,
      orders: OPACUS_ORDERS,
    });
    expect(Math.abs(sigma - 1.425307617) / 1.425307617).toBeLessThan(0.01);
  });

  it('returns a σ whose ε is at or just under the target', () => {
    const opts = { targetEpsilon: 1, delta: 1e-5, sampleRate: 64 / 60000, steps: 5000 };
    const sigma = noiseForEpsilon(opts);
    const at = dpSgdEpsilon({ ...opts, noiseMultiplier: sigma }).epsilon;
    expect(at).toBeLessThanOrEqual(1);
    expect(at).toBeGreaterThan(0.99);
    expect(DEFAULT_RDP_ORDERS).toContain(1024);
  });
});
