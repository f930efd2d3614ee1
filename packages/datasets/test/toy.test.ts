import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GRID25, modeCoverage, RING8, sampleMixture } from '../src/index.js';

describe.each([RING8, GRID25])('$name', (mixture) => {
  const { dataset } = sampleMixture(mixture, { limit: 50_000, seed: 3 });

  it('has empirical per-mode means at the centres and the stated std', () => {
    const k = mixture.centres.length;
    const sums = new Float64Array(k * 2);
    const squares = new Float64Array(k);
    const counts = new Int32Array(k);
    for (let i = 0; i < dataset.size; i++) {
      const mode = dataset.labels[i]!;
      sums[2 * mode]! += dataset.data[2 * i]!;
      sums[2 * mode + 1]! += dataset.data[2 * i + 1]!;
      counts[mode]!++;
    }
    mixture.centres.forEach(([cx, cy], mode) => {
      const n = counts[mode]!;
      // Modes are picked uniformly: each count within 5 binomial standard errors.
      const expected = dataset.size / k;
      expect(Math.abs(n - expected)).toBeLessThan(5 * Math.sqrt(expected));
      const mx = sums[2 * mode]! / n;
      const my = sums[2 * mode + 1]! / n;
      // Mean within 5 standard errors of the centre.
      const tolerance = (5 * mixture.std) / Math.sqrt(n);
      expect(Math.abs(mx - cx)).toBeLessThan(tolerance);
      expect(Math.abs(my - cy)).toBeLessThan(tolerance);
    });
    for (let i = 0; i < dataset.size; i++) {
      const [cx, cy] = mixture.centres[dataset.labels[i]!]!;
      squares[dataset.labels[i]!]! +=
        (dataset.data[2 * i]! - cx) ** 2 + (dataset.data[2 * i + 1]! - cy) ** 2;
    }
    const variance = squares.reduce((a, b) => a + b, 0) / (2 * dataset.size);
    expect(Math.sqrt(variance) / mixture.std).toBeCloseTo(1, 1);
  });

  it('scores real samples as covering every mode, ~98.9% high quality (2-D Gaussian within 3 std)', () => {
    const coverage = modeCoverage(dataset.data, dataset);
    expect(coverage.modesCovered).toBe(mixture.centres.length);
    expect(coverage.modeCount).toBe(mixture.centres.length);
    // P(r < 3 std) for an isotropic 2-D Gaussian is 1 - exp(-9/2).
    expect(coverage.highQualityFraction).toBeCloseTo(1 - Math.exp(-4.5), 2);
  });

  it('scores a collapsed generator as covering one mode', () => {
    const collapsed = dataset.data.slice();
    const [cx, cy] = mixture.centres[1]!;
    for (let i = 0; i < collapsed.length / 2; i++) {
      collapsed[2 * i] = cx + (collapsed[2 * i]! - mixture.centres[dataset.labels[i]!]![0]);
      collapsed[2 * i + 1] = cy + (collapsed[2 * i + 1]! - mixture.centres[dataset.labels[i]!]![1]);
    }
    const coverage = modeCoverage(collapsed, mixture);
    expect(coverage.modesCovered).toBe(1);
    expect(coverage.samplesPerMode[1]).toBe(
      Math.round(coverage.highQualityFraction * dataset.size),
    );
  });

  it('counts blurry samples (10 std off) as low quality and reads tensors', () => {
    const blurry = dataset.data.map((v, i) => (i % 2 === 0 ? v + 10 * mixture.std : v));
    const tensor = tf.tensor2d(blurry, [dataset.size, 2]);
    const coverage = modeCoverage(tensor, mixture);
    tensor.dispose();
    expect(coverage.highQualityFraction).toBeLessThan(0.001);
    expect(coverage.modesCovered).toBe(0);
  });
});

describe('sampleMixture', () => {
  it('is reproducible per seed, differs across seeds and between train and test', () => {
    const a = sampleMixture(RING8, { limit: 100, seed: 1 }).dataset.data;
    expect(sampleMixture(RING8, { limit: 100, seed: 1 }).dataset.data).toEqual(a);
    expect(sampleMixture(RING8, { limit: 100, seed: 2 }).dataset.data).not.toEqual(a);
    expect(sampleMixture(RING8, { limit: 100, seed: 1, split: 'test' }).dataset.data).not.toEqual(
      a,
    );
  });

  it('exposes mode centres: ring radius 2, grid on {-4..4 step 2}', () => {
    for (const [x, y] of RING8.centres) expect(Math.hypot(x, y)).toBeCloseTo(2, 12);
    expect(new Set(GRID25.centres.map(([x, y]) => `${x},${y}`)).size).toBe(25);
    expect(GRID25.centres.flat().every((v) => [-4, -2, 0, 2, 4].includes(v))).toBe(true);
    expect(sampleMixture(GRID25).dataset.take(10).mixture).toBe(GRID25);
  });

  it('rejects odd-length or wrongly shaped samples', () => {
    expect(() => modeCoverage([1, 2, 3], RING8)).toThrow(/odd length 3/);
    const t = tf.zeros<tf.Rank.R2>([4, 3]);
    expect(() => modeCoverage(t, RING8)).toThrow(/shape \[n, 2\], got \[4, 3\]/);
    t.dispose();
  });
});
