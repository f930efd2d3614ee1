import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { AvgPool2x2, GlobalSumPooling } from '../src/models/pooling.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? NaN);

describe("the ResNet discriminator's pooling layers", () => {
  // Created in the tests: tensors made at import time would precede the backend's setup.
  const input = (): tf.Tensor4D => tf.randomNormal([2, 4, 6, 3], 0, 1, 'float32', 1);
  const pool = new AvgPool2x2({});

  it('average-pools 2x2 cells and sums over height and width', () => {
    const x = input();
    const y = pool.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 2, 3, 3]);
    expect(maxDiff(y, tf.avgPool(x, 2, 2, 'valid'))).toBeLessThan(1e-6);
    const s = new GlobalSumPooling({}).apply(x) as tf.Tensor;
    expect(maxDiff(s, tf.sum(x, [1, 2]))).toBeLessThan(1e-5);
  });

  it('differentiates twice, as R1 needs: d/da sum((d/dx D)^2) for D(x) = <pool(a x), c>', () => {
    const x = input();
    const c: tf.Tensor4D = tf.randomNormal([2, 2, 3, 3], 0, 1, 'float32', 2);
    const a = tf.variable(tf.randomUniform([2, 4, 6, 3], 0.5, 1.5, 'float32', 3));
    const critic = (input: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(pool.apply(tf.mul(a, input)) as tf.Tensor, c));
    // d/dx D = a * up(c) / 4, so the penalty is sum(a^2 up(c)^2) / 16 and its gradient a up(c)^2 / 8.
    const up = tf.image.resizeNearestNeighbor(c, [4, 6]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.grad(critic)(x))), [a]);
    expect(value.dataSync()[0]).toBeCloseTo(
      tf.sum(tf.mul(tf.square(a), tf.square(up))).dataSync()[0]! / 16,
      4,
    );
    expect(maxDiff(grads[a.name]!, tf.div(tf.mul(a, tf.square(up)), 8))).toBeLessThan(1e-5);
  });
});
