import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { buildGenerator } from '../src/models/index.js';
import {
  evaluationSampler,
  generate,
  normalCdf,
  normalQuantile,
  sample,
  truncatedLatents,
} from '../src/sampling/index.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

describe('normal quantile and CDF', () => {
  it('agree with tabulated values and invert each other', () => {
    // Tabulated quantiles (R's qnorm, 16 digits); the CDF is A&S 26.2.17 (error < 7.5e-8).
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281551565544601, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655253931457, 6);
    for (const p of [1e-6, 0.01, 0.3, 0.77, 0.999])
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(() => normalQuantile(1)).toThrow(/p must be in \(0, 1\), got 1/);
  });
});

describe('truncatedLatents', () => {
  it('stays inside the threshold with the truncated normal variance, reproducibly', () => {
    const t = 0.5;
    const z = truncatedLatents(4000, 8, 3, t);
    const values = Array.from(z.dataSync());
    z.dispose();
    expect(Math.max(...values.map((v) => Math.abs(v)))).toBeLessThanOrEqual(t);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    // Var of N(0, 1) on [-t, t]: 1 - 2tφ(t) / (2Φ(t) - 1) = 0.08059 at t = 0.5.
    const density = Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
    const expected = 1 - (2 * t * density) / (2 * normalCdf(t) - 1);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(variance / expected).toBeGreaterThan(0.97);
    expect(variance / expected).toBeLessThan(1.03);
    const again = truncatedLatents(4000, 8, 3, t);
    expect(Array.from(again.dataSync())).toEqual(values);
    again.dispose();
  });

  it('is plain seeded N(0, I) without a threshold, and refuses one that is not positive', () => {
    const plain = truncatedLatents(5, 4, 11, Infinity);
    const reference = tf.randomNormal([5, 4], 0, 1, 'float32', 11);
    expect(Array.from(plain.dataSync())).toEqual(Array.from(reference.dataSync()));
    tf.dispose([plain, reference]);
    expect(() => truncatedLatents(2, 2, 1, 0)).toThrow(/truncation must be > 0, got 0/);
  });
});

describe('truncation in the samplers', () => {
  it('draws images ever closer to G(0) as the threshold shrinks', () => {
    const g = buildGenerator('mlp', { shape: [28, 28, 1], latentDim: 12 });
    const centre = tf.tidy(() => generate(g, tf.zeros([1, 12])));
    const meanDistance = (images: tf.Tensor4D): number =>
      tf.tidy(() => images.sub(centre).square().mean().sqrt().dataSync()[0]!);
    const plain = sample(g, { n: 16, seed: 5 });
    const loose = sample(g, { n: 16, seed: 5, truncation: 1 });
    const tight = sample(g, { n: 16, seed: 5, truncation: 1e-4 });
    const [dPlain, dLoose, dTight] = [plain, loose, tight].map(meanDistance);
    expect(dLoose!).toBeLessThan(dPlain!);
    expect(dTight!).toBeLessThan(1e-3);
    const drawn = evaluationSampler(g, 7919, 1e-4)(4);
    expect(meanDistance(drawn)).toBeLessThan(1e-3);
    expect(() => evaluationSampler(g, 7919, -1)).toThrow(/truncation must be > 0, got -1/);
    tf.dispose([centre, plain, loose, tight, drawn]);
    g.dispose();
  });
});
