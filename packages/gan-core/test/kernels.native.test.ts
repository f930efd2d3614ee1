/**
 * The native addon's kernels (src/kernels/native/): forward convolutions, fused epilogues,
 * LeakyRelu and its gradient (first and second order), and the fused Adam update, each against
 * TF.js's reference (the cpu backend, or TF.js's own Adam). The backprop kernels and matmuls
 * are also covered by kernels.conv / kernels.matmul, which check every kernel with and without
 * the addon.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../src/backend/index.js';
import { ensureSecondOrderGradients } from '../src/losses/second-order.js';
import { fixedSeedSource, SeededDropout } from '../src/models/seeded-dropout.js';
import { adam } from '../src/train/adam.js';
import {
  NATIVE,
  compareKernel,
  input,
  relativeError,
  setUpWasm,
  values,
} from './kernel-harness.js';

const TOLERANCE = 1e-5;

describe('the native addon', () => {
  // CI installs OpenBLAS's headers and sets GANMOD_REQUIRE_NATIVE=1: the build must then
  // produce the addon, so the kernels below really run there.
  it.runIf(process.env.GANMOD_REQUIRE_NATIVE === '1')('is built and loads', () => {
    expect(loadNativeAddon().error).toBeUndefined();
    expect(NATIVE).toBe(true);
  });

  it.runIf(NATIVE)(
    'refuses mismatched sizes with a clear error instead of reading out of bounds',
    () => {
      const addon = loadNativeAddon().module!;
      const geometry = [1, 4, 4, 1, 3, 3, 2, 4, 4, 1, 1, 1, 1, 1, 1];
      expect(() =>
        addon.conv2d(new Float32Array(16), new Float32Array(18), new Float32Array(31), geometry),
      ).toThrow(/tensor sizes do not match the convolution geometry/);
      expect(() =>
        addon.conv2d(new Float32Array(16), new Float32Array(18), new Float32Array(32), [1, 2]),
      ).toThrow(/geometry must be an array of 15 integers/);
      expect(() =>
        addon.leakyRelu([1, 2] as unknown as Float32Array, new Float32Array(2), 0.2),
      ).toThrow(/x must be a Float32Array/);
    },
  );
});

describe.runIf(NATIVE)('native convolutions on several threads', () => {
  it('give the results of one thread (im2col/col2im split by image, sgemm by OpenBLAS)', () => {
    const addon = loadNativeAddon().module!;
    const before = addon.getThreads();
    // 8 images of 196 x 1600 columns: above the size where the passes go multi-threaded.
    const geometry = [8, 14, 14, 64, 5, 5, 32, 14, 14, 1, 1, 2, 2, 1, 1];
    const x = values(8 * 14 * 14 * 64, 61);
    const w = values(5 * 5 * 64 * 32, 62);
    const dy = values(8 * 14 * 14 * 32, 63);
    const run = (threads: number): Float32Array[] => {
      addon.setThreads(threads);
      const y = new Float32Array(dy.length);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      addon.conv2d(x, w, y, geometry);
      addon.conv2dBackpropInput(dy, w, dx, geometry);
      addon.conv2dBackpropFilter(x, dy, dw, geometry);
      return [y, dx, dw];
    };
    try {
      const one = run(1);
      const two = run(2);
      one.forEach((r, i) => {
        expect(Math.max(...r.map(Math.abs))).toBeGreaterThan(0);
        expect(relativeError(two[i]!, r)).toBeLessThan(1e-6);
      });
    } finally {
      addon.setThreads(before);
    }
  });
});

describe.runIf(NATIVE)('native Adam on several threads', () => {
  it('gives the bits of one thread on a variable large enough to be split', () => {
    const addon = loadNativeAddon().module!;
    const before = addon.getThreads();
    const n = 600_001; // odd, above the split threshold
    const inputs = [71, 72, 73, 74].map((seed) => values(n, seed));
    inputs[3] = inputs[3]!.map(Math.abs); // the second moment is non-negative
    const constants = new Float32Array([2e-4, 0.5, 0.999, 1e-8, 0.5, 0.001, 0.75, 0.002]);
    const run = (threads: number): Float32Array[] => {
      addon.setThreads(threads);
      const outs = [0, 1, 2].map(() => new Float32Array(n));
      const [x, g, m, v] = inputs as [Float32Array, Float32Array, Float32Array, Float32Array];
      addon.adam(x, g, m, v, outs[0]!, outs[1]!, outs[2]!, constants);
      return outs;
    };
    try {
      const one = run(1);
      const two = run(2);
      // Index of the first differing element (-1: none); toEqual on 600k floats is very slow.
      const firstDiff = (a: Float32Array, b: Float32Array): number =>
        a.findIndex((v, i) => !Object.is(v, b[i]));
      two.forEach((r, i) => expect(firstDiff(r, one[i]!)).toBe(-1));
      expect(firstDiff(one[0]!, inputs[0]!)).not.toBe(-1);
    } finally {
      addon.setThreads(before);
    }
  });
});

describe.runIf(NATIVE)('native forward convolutions match the cpu backend', () => {
  beforeAll(setUpWasm);

  const cases = [
    {
      name: 'DCGAN D layer 2 (batch 3)',
      x: [3, 14, 14, 8],
      f: [5, 5, 8, 16],
      strides: 2,
      pad: 'same',
      dilations: 1,
    },
    {
      name: 'valid, stride 1, odd sizes',
      x: [2, 9, 7, 3],
      f: [3, 2, 3, 5],
      strides: 1,
      pad: 'valid',
      dilations: 1,
    },
    { name: 'dilated', x: [2, 11, 10, 2], f: [3, 3, 2, 4], strides: 1, pad: 'same', dilations: 2 },
    { name: 'pointwise', x: [2, 5, 5, 6], f: [1, 1, 6, 3], strides: 1, pad: 'valid', dilations: 1 },
    {
      name: 'explicit padding, stride 3',
      x: [1, 10, 9, 2],
      f: [4, 3, 2, 3],
      strides: 3,
      pad: [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ],
      dilations: 1,
    },
  ];

  it.each(cases)('Conv2D $name', async (c) => {
    const result = await compareKernel(
      'Conv2D',
      { x: input(c.x, 1), filter: input(c.f, 2) },
      {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        dilations: c.dilations,
        dimRoundingMode: undefined,
      },
    );
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.error).toBeLessThan(TOLERANCE);
  });

  it.each(['linear', 'relu', 'leakyrelu', 'sigmoid', 'elu', 'relu6'])(
    'FusedConv2D with bias and %s',
    async (activation) => {
      const result = await compareKernel(
        'FusedConv2D',
        { x: input([2, 8, 8, 3], 3), filter: input([5, 5, 3, 4], 4), bias: input([4], 5) },
        {
          strides: 2,
          pad: 'same',
          dataFormat: 'NHWC',
          dilations: 1,
          dimRoundingMode: undefined,
          activation,
          leakyreluAlpha: 0.2,
        },
      );
      expect(result.shape).toEqual([2, 4, 4, 4]);
      expect(result.error).toBeLessThan(TOLERANCE);
    },
  );

  // Large enough that the addon applies the epilogue in several blocks of output rows.
  it.each([
    {
      name: 'pointwise (MobileNetV2 expansion), relu6',
      x: [2, 40, 40, 8],
      f: [1, 1, 8, 300],
      activation: 'relu6',
      strides: 1,
    },
    {
      name: 'pointwise, odd map, linear',
      x: [3, 21, 19, 24],
      f: [1, 1, 24, 130],
      activation: 'linear',
      strides: 1,
    },
    {
      name: '3x3 stride 2 (im2col), relu',
      x: [2, 45, 45, 3],
      f: [3, 3, 3, 200],
      activation: 'relu',
      strides: 2,
    },
  ])('FusedConv2D with bias, epilogue in row blocks: $name', async (c) => {
    const result = await compareKernel(
      'FusedConv2D',
      { x: input(c.x, 41), filter: input(c.f, 42), bias: input([c.f[3]!], 43) },
      {
        strides: c.strides,
        pad: 'same',
        dataFormat: 'NHWC',
        dilations: 1,
        dimRoundingMode: undefined,
        activation: c.activation,
        leakyreluAlpha: 0.2,
      },
    );
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.error).toBeLessThan(TOLERANCE);
  });

  it.each([
    { name: 'per channel, offset and scale', stats: [7], offset: true, scale: true },
    { name: 'no offset, no scale', stats: [7], offset: false, scale: false },
    { name: 'scalar statistics', stats: [1], offset: true, scale: false },
  ])('FusedBatchNorm: $name', async (c) => {
    const variance = input(c.stats, 23);
    variance.data = variance.data.map((v) => v + 1.5); // positive
    const result = await compareKernel(
      'FusedBatchNorm',
      {
        x: input([2, 5, 6, 7], 21),
        mean: input(c.stats, 22),
        variance,
        ...(c.offset ? { offset: input(c.stats, 24) } : {}),
        ...(c.scale ? { scale: input(c.stats, 25) } : {}),
      },
      { varianceEpsilon: 1e-3 },
    );
    expect(result.shape).toEqual([2, 5, 6, 7]);
    expect(result.error).toBeLessThan(TOLERANCE);
  });

  it('Tanh, over the whole range (saturating tails included)', async () => {
    const x = input([300_001], 26);
    x.data = x.data.map((v) => v * 12); // [-12, 12)
    const result = await compareKernel('Tanh', { x }, {});
    expect(result.error).toBeLessThan(TOLERANCE);
  });

  it('BatchMatMul with a broadcast single matrix', async () => {
    const result = await compareKernel(
      'BatchMatMul',
      { a: input([3, 4, 6], 6), b: input([1, 6, 5], 7) },
      { transposeA: false, transposeB: false },
    );
    expect(result.shape).toEqual([3, 4, 5]);
    expect(result.error).toBeLessThan(TOLERANCE);
  });
});

/** Runs `f` on a backend with fresh tensors and returns the values of its outputs. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => f().map((t) => t.dataSync() as Float32Array));
}

describe.runIf(NATIVE)('native LeakyRelu', () => {
  beforeAll(async () => {
    await setUpWasm();
    ensureSecondOrderGradients();
  });

  it('forward, gradient and second-order gradient (R1-style) match the cpu backend', async () => {
    const compute = (): tf.Tensor[] => {
      const x = tf.tensor(values(16 * 12, 21), [16, 12]);
      const w1 = tf.tensor(values(12 * 10, 22), [12, 10]);
      const w2 = tf.tensor(values(10 * 6, 23), [10, 6]);
      const u = tf.tensor(values(16 * 6, 24), [16, 6]);
      // A two-layer D; the penalty differentiates its input gradient w.r.t. the weights, so the
      // second-order pass runs through LeakyRelu's gradient kernel (its dy input).
      const d = (xs: tf.Tensor, v2: tf.Tensor): tf.Tensor =>
        tf.sum(tf.mul(u, tf.leakyRelu(tf.matMul(tf.leakyRelu(tf.matMul(xs, w1), 0.2), v2), 0.2)));
      const penalty = (v2: tf.Tensor): tf.Tensor =>
        tf.sum(tf.square(tf.grad((xs: tf.Tensor) => d(xs, v2))(x)));
      return [
        tf.leakyRelu(tf.matMul(x, w1), 0.2),
        tf.grad((xs: tf.Tensor) => d(xs, w2))(x),
        tf.grad(penalty)(w2),
      ];
    };
    const expected = await on('cpu', compute);
    const actual = await on('wasm', compute);
    expect(actual).toHaveLength(3);
    expected.forEach((e, i) => {
      expect(Math.max(...e.map(Math.abs))).toBeGreaterThan(0);
      expect(relativeError(actual[i]!, e)).toBeLessThan(TOLERANCE);
    });
  });
});

describe.runIf(NATIVE)('FusedAdamOptimizer', () => {
  beforeAll(setUpWasm);

  /** Three Adam steps on two variables with a quadratic loss; returns the variables' values. */
  function run(optimizer: tf.Optimizer): Float32Array[] {
    const a = tf.variable(tf.tensor(values(3000, 31), [60, 50]));
    const b = tf.variable(tf.tensor(values(7, 32), [7]));
    const target = tf.tensor(values(3000, 33), [60, 50]);
    for (let step = 0; step < 3; step++) {
      optimizer.minimize(() =>
        tf.add<tf.Scalar>(tf.sum(tf.square(tf.sub(a, target))), tf.sum(tf.mul(b, b))),
      );
    }
    const out = [a.dataSync() as Float32Array, b.dataSync() as Float32Array];
    tf.dispose([a, b, target]);
    optimizer.dispose();
    return out;
  }

  it("gives TF.js Adam's results on wasm (one fused kernel per variable)", async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const reference = run(tf.train.adam(1e-2, 0.5, 0.999, 1e-8));
    const afterReference = tf.memory().numTensors;
    const fused = run(adam(1e-2, 0.5, 0.999, 1e-8));
    // Whatever TF.js's Adam leaves behind (its iteration counter), the fused one leaves no more.
    expect(tf.memory().numTensors - afterReference).toBe(afterReference - before);
    // Same operations in the same order; only the bias corrections 1 - beta^t may differ in their
    // last bit (closed form here, running float32 products in TF.js).
    expect(relativeError(fused[0]!, reference[0]!)).toBeLessThan(1e-6);
    expect(relativeError(fused[1]!, reference[1]!)).toBeLessThan(1e-6);
  });

  it('a restored fused Adam continues exactly as the uninterrupted one, and TF.js Adam reads its state', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor(values(50, 41), [50]));
    const loss = (): tf.Scalar => tf.sum(tf.square(v));
    const start = v.dataSync().slice();
    // Uninterrupted: 30 steps (betas whose powers float32 cannot hold exactly).
    const straight = adam(1e-2, 0.9, 0.999, 1e-8);
    for (let i = 0; i < 30; i++) straight.minimize(loss);
    const uninterrupted = v.dataSync().slice();
    straight.dispose();
    // 29 steps, the state saved, then the 30th from the restored state.
    v.assign(tf.tensor(start));
    const trained = adam(1e-2, 0.9, 0.999, 1e-8);
    for (let i = 0; i < 29; i++) trained.minimize(loss);
    const weights = await trained.getWeights();
    expect(weights.map((w) => w.name)).toEqual(['iter', `${v.name}/m`, `${v.name}/v`]);
    const snapshot = v.dataSync().slice();
    const next: Float32Array[] = [];
    for (const restored of [adam(1e-2, 0.9, 0.999, 1e-8), tf.train.adam(1e-2, 0.9, 0.999, 1e-8)]) {
      v.assign(tf.tensor(snapshot));
      await restored.setWeights(weights);
      restored.minimize(loss);
      next.push(v.dataSync().slice() as Float32Array);
      restored.dispose();
    }
    expect(next[0]).toEqual(uninterrupted);
    expect(next[0]).not.toEqual(snapshot);
    // Checkpoints stay interchangeable with TF.js's Adam (up to its bias corrections' last bit).
    expect(relativeError(next[1]!, next[0]!)).toBeLessThan(1e-6);
    tf.dispose([v]);
    trained.dispose();
  });
});

describe.runIf(NATIVE)('native dropout mask (SeededDropout)', () => {
  beforeAll(setUpWasm);

  it('keeps each element with probability 1 - rate, scaled by 1 / (1 - rate), replayable by seed', async () => {
    await tf.setBackend('wasm');
    const layer = new SeededDropout({ rate: 0.3, seeds: fixedSeedSource(7) });
    const replay = new SeededDropout({ rate: 0.3, seeds: fixedSeedSource(7) });
    const x = tf.ones([100, 1000]);
    const [a, b, again] = tf
      .tidy(() => [
        layer.apply(x, { training: true }) as tf.Tensor,
        layer.apply(x, { training: true }) as tf.Tensor,
        replay.apply(x, { training: true }) as tf.Tensor,
      ])
      .map((t) => {
        const data = t.dataSync() as Float32Array;
        t.dispose();
        return data;
      }) as [Float32Array, Float32Array, Float32Array];
    x.dispose();
    const scale = Math.fround(1 / Math.fround(0.7));
    expect(a.every((v) => v === 0 || v === scale)).toBe(true);
    const kept = a.filter((v) => v !== 0).length / a.length;
    // 100k Bernoulli(0.7) draws: the standard deviation of the fraction is ~0.0015.
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.01);
    expect(again).toEqual(a); // the same seed gives the same mask
    expect(b).not.toEqual(a); // the next call draws a new one
    // Masks of consecutive elements are not correlated (a broken generator repeats patterns).
    let both = 0;
    for (let i = 1; i < a.length; i++) if (a[i] !== 0 && a[i - 1] !== 0) both++;
    expect(Math.abs(both / (a.length - 1) - 0.49)).toBeLessThan(0.01);
  });

  it('passes gradients through the kept elements only', async () => {
    await tf.setBackend('wasm');
    const layer = new SeededDropout({ rate: 0.5, seeds: fixedSeedSource(3) });
    const x = tf.randomNormal([20, 30], 0, 1, 'float32', 5);
    const [y, g] = tf.tidy(() => {
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      const grad = tf.grad((t: tf.Tensor) =>
        tf.sum(layer.apply(t, { training: true }) as tf.Tensor),
      )(x);
      return [out.dataSync(), grad.dataSync()];
    });
    // The second call used the next mask: compare zero patterns via a replayed layer instead.
    const replay = new SeededDropout({ rate: 0.5, seeds: fixedSeedSource(3) });
    const masks = tf.tidy(() => {
      replay.apply(x, { training: true });
      return (replay.apply(tf.onesLike(x), { training: true }) as tf.Tensor).dataSync();
    });
    expect(y.some((v) => v === 0)).toBe(true);
    g.forEach((v, i) => expect(v).toBe(masks[i]));
    x.dispose();
  });
});

describe('Sum and Mean gradients (broadcast, no ones tensor)', () => {
  beforeAll(setUpWasm);

  it.each(['cpu', 'wasm'] as const)(
    'equal the closed form exactly on %s, for leading, inner and all axes',
    async (backend) => {
      await tf.setBackend(backend);
      const x = tf.tensor(values(4 * 5 * 6, 51), [4, 5, 6]);
      for (const axis of [[0, 1], [2], [1], [0, 1, 2]]) {
        const kept = x.shape.map((d, i) => (axis.includes(i) ? 1 : d));
        const w = tf.tensor(
          values(
            kept.reduce((a, b) => a * b, 1),
            52,
          ),
          kept,
        );
        const n = axis.reduce((a, i) => a * x.shape[i]!, 1);
        const [gSum, gMean, wb, wbn] = tf
          .tidy(() => [
            tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sum(t, axis, true), w)))(x),
            tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, axis, true), w)))(x),
            tf.broadcastTo(w, x.shape),
            tf.broadcastTo(tf.div(w, n), x.shape),
          ])
          .map((t) => t.dataSync());
        expect(gSum).toEqual(wb);
        expect(gMean).toEqual(wbn);
        w.dispose();
      }
      x.dispose();
    },
  );
});

describe('Tile gradient of a broadcast (a sum, not a slice per repetition)', () => {
  beforeAll(setUpWasm);

  it('equals the stock gradient, and a second-order pass through a mean stays a few kernels', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(values(2 * 3, 61), [2, 1, 1, 3]);
    const w = tf.tensor(values(2 * 8 * 8 * 3, 62), [2, 8, 8, 3]);
    const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.tile(t, [1, 8, 8, 1]), w));
    // The closed form: each x entry collects the w entries it was copied to.
    const expected = tf.sum(w, [1, 2], true);
    const g = tf.grad(f)(x);
    expect(Array.from(g.dataSync())).toEqual(
      Array.from(expected.dataSync()).map((v): unknown => expect.closeTo(v, 4)),
    );
    // d/dw sum((d/dy sum(mean(w * y)^2))^2): R1 through DiffAugment's colour mean, in miniature
    // (the broadcast mean gradient depends on w, so the outer pass differentiates its Tile).
    const y = tf.tensor(values(2 * 8 * 8 * 3, 63), [2, 8, 8, 3]);
    const penalty = (t: tf.Tensor): tf.Scalar =>
      tf.sum(
        tf.square(
          tf.grad((u: tf.Tensor) => tf.sum(tf.square(tf.mean(tf.mul(t, u), [1, 2, 3]))))(y),
        ),
      );
    const profile = await tf.profile(() => tf.grad(penalty)(w));
    expect(profile.kernels.filter((k) => k.name === 'Slice')).toHaveLength(0);
    tf.dispose([x, w, g, expected, y]);
  });
});
