import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  augmentCutout,
  augmentTranslation,
  bceWithLogits,
  diffAugment,
  discriminatorLoss,
  generatorLoss,
  gradientPenalty,
  r1Penalty,
} from '../src/losses/index.js';
import { CounterRng } from '../src/train/prng.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

const value = (t: tf.Tensor): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};
const softplus = (x: number): number => Math.log1p(Math.exp(x));

describe('adversarial losses', () => {
  const real = [2, -1, 0.5];
  const fake = [-3, 0.25, 1];
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('bce with logits is stable for large logits and matches the closed form', () => {
    expect(value(bceWithLogits(tf.tensor1d([100, -100]), 1))).toBeCloseTo(50, 4);
    expect(value(bceWithLogits(tf.tensor1d([0.3]), 0.9))).toBeCloseTo(softplus(0.3) - 0.9 * 0.3, 6);
  });

  it('bce: D = softplus(-real) + softplus(fake), one-sided smoothing, non-saturating G', () => {
    const r = tf.tensor1d(real);
    const f = tf.tensor1d(fake);
    expect(value(discriminatorLoss('bce', r, f))).toBeCloseTo(
      mean(real.map((x) => softplus(-x))) + mean(fake.map(softplus)),
      5,
    );
    // Smoothing 0.1: real target 0.9, fake target still 0.
    const smoothed = mean(real.map((x) => softplus(x) - 0.9 * x)) + mean(fake.map(softplus));
    expect(value(discriminatorLoss('bce', r, f, { labelSmoothing: 0.1 }))).toBeCloseTo(smoothed, 5);
    expect(value(generatorLoss('bce', f))).toBeCloseTo(mean(fake.map((x) => softplus(-x))), 5);
    tf.dispose([r, f]);
  });

  it('hinge and wgan', () => {
    const r = tf.tensor1d(real);
    const f = tf.tensor1d(fake);
    const hinge =
      mean(real.map((x) => Math.max(0, 1 - x))) + mean(fake.map((x) => Math.max(0, 1 + x)));
    expect(value(discriminatorLoss('hinge', r, f))).toBeCloseTo(hinge, 5);
    expect(value(discriminatorLoss('wgan-gp', r, f))).toBeCloseTo(mean(fake) - mean(real), 5);
    expect(value(generatorLoss('hinge', f))).toBeCloseTo(-mean(fake), 5);
    tf.dispose([r, f]);
  });
});

describe('gradient penalties', () => {
  // A linear critic D(x) = sum(w * x) has gradient w everywhere: ||grad|| = ||w||.
  // Created lazily: tensors at import time would start a backend before setupBackend picks one.
  let w: tf.Tensor;
  let real: tf.Tensor4D;
  let fake: tf.Tensor4D;
  beforeAll(() => {
    w = tf.fill([1, 2, 2, 1], 0.5);
    real = tf.randomNormal<tf.Rank.R4>([3, 2, 2, 1], 0, 1, 'float32', 1);
    fake = tf.randomNormal<tf.Rank.R4>([3, 2, 2, 1], 0, 1, 'float32', 2);
  });
  const critic = (x: tf.Tensor4D): tf.Tensor => tf.sum(tf.mul(x, w), [1, 2, 3]);

  it('WGAN-GP is weight * (||w|| - 1)^2 for a linear critic', () => {
    // ||w|| = sqrt(4 * 0.25) = 1 -> no penalty; scale w by 3 -> (3 - 1)^2 = 4.
    expect(value(gradientPenalty(critic, real, fake, 10, 7))).toBeCloseTo(0, 4);
    const steep = (x: tf.Tensor4D): tf.Tensor => tf.mul(critic(x), 3);
    expect(value(gradientPenalty(steep, real, fake, 10, 7))).toBeCloseTo(40, 3);
  });

  it('R1 is gamma/2 * ||w||^2 and its gradient reaches the critic weights (second order)', () => {
    expect(value(r1Penalty(critic, real, 10))).toBeCloseTo(5, 4);
    const wv = tf.variable(tf.fill([1, 2, 2, 1], 0.5));
    const { grads, value: loss } = tf.variableGrads(
      () => r1Penalty((x) => tf.sum(tf.mul(tf.square(x), wv), [1, 2, 3]), real, 2),
      [wv],
    );
    // d/dw of mean_i sum_j (2 w_j x_ij)^2 = mean_i 8 w_j x_ij^2: non-zero.
    const g = grads[wv.name];
    expect(g).toBeDefined();
    const expected = tf.tidy(() => tf.mean(tf.mul(tf.mul(wv, 8), tf.square(real)), 0, true));
    expect(Array.from(g?.dataSync() ?? [])).toEqual(
      Array.from(expected.dataSync()).map((v): unknown => expect.closeTo(v, 4)),
    );
    tf.dispose([loss, wv, expected, ...Object.values(grads)]);
  });
});

describe('DiffAugment', () => {
  const rngSource = (seed: number) => {
    const rng = new CounterRng(seed);
    return () => rng.nextFloat();
  };

  it('translation shifts whole images with zero fill', () => {
    // 4x4 image with one bright pixel; every shift keeps it (or drops it off the border) unchanged in value.
    const data = new Float32Array(16);
    data[5] = 1;
    const x = tf.tensor4d(data, [1, 4, 4, 1]);
    for (let seed = 1; seed < 6; seed++) {
      const y = augmentTranslation(x, rngSource(seed));
      const values = Array.from(y.dataSync());
      expect(values.filter((v) => v !== 0).every((v) => v === 1)).toBe(true);
      expect(values.filter((v) => v === 1).length).toBeLessThanOrEqual(1);
      y.dispose();
    }
    x.dispose();
  });

  it('cutout zeroes one square of half the side', () => {
    const x = tf.ones<tf.Rank.R4>([2, 8, 8, 3]);
    const y = augmentCutout(x, rngSource(3));
    const zeros = Array.from(y.dataSync()).filter((v) => v === 0).length / 3;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThanOrEqual(2 * 16);
    tf.dispose([x, y]);
  });

  it('is differentiable: gradients flow to the input through every policy, and are reproducible', () => {
    const x = tf.randomNormal<tf.Rank.R4>([4, 8, 8, 3], 0, 1, 'float32', 5);
    const gradOf = (seed: number): Float32Array =>
      tf.tidy(() => {
        const random = rngSource(seed);
        return tf
          .grad((input: tf.Tensor) =>
            tf.sum(
              tf.square(
                diffAugment(input as tf.Tensor4D, ['color', 'translation', 'cutout'], random),
              ),
            ),
          )(x)
          .dataSync() as Float32Array;
      });
    const a = gradOf(9);
    expect(a.some((v) => v !== 0)).toBe(true);
    expect(Array.from(gradOf(9))).toEqual(Array.from(a));
    expect(Array.from(gradOf(10))).not.toEqual(Array.from(a));
    x.dispose();
  });
});
