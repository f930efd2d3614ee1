/**
 * FastBatchNorm (src/models/fast-batch-norm.ts) and its native kernels GanmodBatchNormTrain /
 * GanmodBatchNormTrainGrad (src/kernels/native/batch-norm.ts): the same outputs, gradients and
 * moving statistics as the stock tf.layers.batchNormalization on the cpu backend (TF.js's
 * reference), one kernel per training pass, and the stock layer's serialization.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, registerWasmKernels } from '../src/backend/index.js';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  BatchNormSecondOrderError,
  batchNormTrain,
} from '../src/kernels/native/batch-norm.js';
import { FastBatchNorm } from '../src/models/fast-batch-norm.js';
import { NATIVE, relativeError, setUpWasm, values } from './kernel-harness.js';

const TOLERANCE = 1e-5;
const ARGS = { momentum: 0.9, epsilon: 1e-5 };

type Make = (args: typeof ARGS) => tf.layers.Layer;
const stock: Make = (args) => tf.layers.batchNormalization(args);
const fast: Make = (args) => new FastBatchNorm(args);

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Inputs with a nonzero mean and a spread that differs per channel. */
function inputValues(shape: number[], seed: number): Float32Array {
  const channels = shape[shape.length - 1]!;
  return values(size(shape), seed).map((v, i) => v * (1 + (i % channels) / channels) + 0.3);
}

interface Run {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  inference: Float32Array;
}

/**
 * On `backend`: a layer from `make` with non-trivial weights; one training pass under
 * tf.variableGrads (loss = sum(y * w)), two more training passes (the second's output is `y`),
 * then an inference pass.
 */
async function runLayer(backend: 'cpu' | 'wasm', make: Make, shape: number[]): Promise<Run> {
  await tf.setBackend(backend);
  const channels = shape[shape.length - 1]!;
  return tf.tidy(() => {
    const layer = make(ARGS);
    layer.build(shape);
    layer.setWeights([
      tf.tensor1d(values(channels, 3).map((v) => 1 + 0.5 * v)),
      tf.tensor1d(values(channels, 4).map((v) => 0.2 * v)),
      tf.tensor1d(values(channels, 5).map((v) => 0.1 * v)),
      tf.tensor1d(values(channels, 6).map((v) => 1 + 0.3 * v)),
    ]);
    const x = tf.variable(tf.tensor(inputValues(shape, 1), shape), true, `x${backend}`);
    const w = tf.tensor(values(size(shape), 2), shape);
    const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, w)),
      [x, gamma!, beta!],
    );
    layer.apply(x, { training: true });
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const inference = layer.apply(x, { training: false }) as tf.Tensor;
    const [, , movingMean, movingVariance] = layer.getWeights();
    const data = (t: tf.Tensor | undefined): Float32Array => t!.dataSync() as Float32Array;
    const run = {
      y: data(y),
      dx: data(grads[x.name]),
      dgamma: data(grads[gamma!.name]),
      dbeta: data(grads[beta!.name]),
      movingMean: data(movingMean),
      movingVariance: data(movingVariance),
      inference: data(inference),
    };
    x.dispose();
    for (const v of layer.weights) v.dispose();
    return run;
  });
}

function expectClose(actual: Run, expected: Run): void {
  for (const key of Object.keys(expected) as (keyof Run)[]) {
    expect(actual[key].length, key).toBe(expected[key].length);
    expect(relativeError(actual[key], expected[key]), key).toBeLessThan(TOLERANCE);
  }
}

const SHAPES = [
  [128, 256],
  [8, 7, 7, 16],
];

describe('FastBatchNorm', () => {
  beforeAll(setUpWasm);
  afterEach(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
  });

  describe.runIf(NATIVE)('with the native kernels', () => {
    for (const shape of SHAPES) {
      it(`matches the stock layer on cpu: outputs, gradients, moving statistics, inference ${JSON.stringify(shape)}`, async () => {
        const expected = await runLayer('cpu', stock, shape);
        const actual = await runLayer('wasm', fast, shape);
        expectClose(actual, expected);
      });
    }

    it('trains in one kernel forward and one backward', async () => {
      await tf.setBackend('wasm');
      const shape = [16, 32];
      const layer = new FastBatchNorm(ARGS);
      layer.build(shape);
      const x = tf.variable(tf.tensor(inputValues(shape, 7), shape));
      const forward = await tf.profile(() => {
        tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
      });
      const names = forward.kernels.map((k) => k.name);
      expect(names.filter((n) => n === BATCH_NORM_TRAIN)).toHaveLength(1);
      for (const stockKernel of ['FusedBatchNorm', 'Mean', 'Square', 'SquaredDifference']) {
        expect(names).not.toContain(stockKernel);
      }
      const backward = await tf.profile(() => {
        tf.dispose(
          tf.grad((v: tf.Tensor) => tf.sum(layer.apply(v, { training: true }) as tf.Tensor))(x),
        );
      });
      const backNames = backward.kernels.map((k) => k.name);
      expect(backNames.filter((n) => n === BATCH_NORM_TRAIN_GRAD)).toHaveLength(1);
      expect(backNames).not.toContain('FusedBatchNorm');
      x.dispose();
      for (const v of layer.weights) v.dispose();
    });

    it('adds gradients that reach the mean and variance outputs exactly', async () => {
      const shape = [64, 24];
      const channels = shape[1]!;
      const loss = (
        x: tf.Tensor,
        gamma: tf.Tensor,
        beta: tf.Tensor,
        stats: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor[],
      ): tf.Scalar => {
        const [y, mean, variance] = stats(x, gamma, beta) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const w = tf.tensor(values(size(shape), 11), shape);
        const a = tf.tensor1d(values(channels, 12));
        const b = tf.tensor1d(values(channels, 13));
        return tf.addN([
          tf.sum(tf.mul(y, w)),
          tf.sum(tf.mul(mean, a)),
          tf.sum(tf.mul(variance, b)),
        ]) as tf.Scalar;
      };
      const gradients = async (
        backend: 'cpu' | 'wasm',
        stats: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor[],
      ): Promise<Float32Array[]> => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor(inputValues(shape, 14), shape);
          const gamma = tf.tensor1d(values(channels, 15).map((v) => 1 + 0.5 * v));
          const beta = tf.tensor1d(values(channels, 16));
          return tf
            .grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => loss(xx, g, b, stats))([
              x,
              gamma,
              beta,
            ])
            .map((t) => t.dataSync() as Float32Array);
        });
      };
      const expected = await gradients('cpu', (x, g, b) => {
        const { mean, variance } = tf.moments(x, [0]);
        return [tf.batchNorm(x, mean, variance, b, g, 1e-5), mean, variance];
      });
      const actual = await gradients('wasm', (x, g, b) => batchNormTrain(x, g, b, 1e-5)!);
      for (let i = 0; i < 3; i++) {
        expect(relativeError(actual[i]!, expected[i]!)).toBeLessThan(TOLERANCE);
      }
    });

    it('refuses second-order gradients with a named error', async () => {
      await tf.setBackend('wasm');
      const shape = [8, 4];
      const x = tf.tensor(inputValues(shape, 17), shape);
      const w = tf.tensor(values(size(shape), 18), shape);
      const first = (v: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(batchNormTrain(v, undefined, undefined, 1e-5)![0], w));
      expect(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.grad(first)(v))))(x)).toThrow(
        BatchNormSecondOrderError,
      );
      tf.dispose([x, w]);
    });

    it('computes the statistics to float precision on one and two threads, far from zero too', () => {
      // 4096 x 96 floats: above the size where the passes split over threads. The one-pass
      // variance (shifted by the first row) must not lose digits to a large mean.
      const addon = loadNativeAddon().module!;
      const before = addon.getThreads();
      const [rows, channels] = [4096, 96];
      try {
        for (const threads of [1, 2]) {
          addon.setThreads(threads);
          for (const offset of [0, 1000]) {
            const x = values(rows * channels, 31).map((v, i) => offset + v * (1 + (i % channels)));
            const mean = new Float32Array(channels);
            const variance = new Float32Array(channels);
            const y = new Float32Array(x.length);
            addon.batchNormTrain(x, null, null, y, mean, variance, 1e-5);
            for (let c = 0; c < channels; c++) {
              let sum = 0;
              for (let r = 0; r < rows; r++) sum += x[r * channels + c]!;
              const mu = sum / rows;
              let squares = 0;
              for (let r = 0; r < rows; r++) squares += (x[r * channels + c]! - mu) ** 2;
              expect(Math.abs(mean[c]! - mu)).toBeLessThan(1e-6 * Math.max(1, Math.abs(mu)));
              expect(Math.abs(variance[c]! / (squares / rows) - 1)).toBeLessThan(1e-6);
            }
          }
        }
      } finally {
        addon.setThreads(before);
      }
    });

    it('refuses mismatched sizes in the addon with a named error', () => {
      const addon = loadNativeAddon().module!;
      const f = (n: number): Float32Array => new Float32Array(n);
      expect(() => addon.batchNormTrain(f(12), f(4), null, f(12), f(4), f(3), 1e-5)).toThrow(
        /batchNormTrain sizes do not match/,
      );
      expect(() => addon.batchNormTrain(f(12), f(5), null, f(12), f(4), f(4), 1e-5)).toThrow(
        /batchNormTrain sizes do not match/,
      );
      expect(() => addon.batchNormTrain(f(13), null, null, f(13), f(4), f(4), 1e-5)).toThrow(
        /batchNormTrain sizes do not match/,
      );
      expect(() =>
        addon.batchNormTrainGrad(f(12), f(12), null, f(4), f(4), f(11), f(4), f(4), 1e-5),
      ).toThrow(/batchNormTrainGrad sizes do not match/);
      expect(() =>
        addon.batchNormTrainGrad(f(12), f(12), f(4), f(4), f(4), f(12), f(3), f(4), 1e-5),
      ).toThrow(/batchNormTrainGrad sizes do not match/);
      expect(() =>
        addon.batchNormTrain([1] as unknown as Float32Array, null, null, f(1), f(1), f(1), 1e-5),
      ).toThrow(/x must be a Float32Array/);
    });
  });

  it('falls back to the stock layer without the native kernels', async () => {
    registerWasmKernels({ native: false });
    const shape = [32, 8];
    const expected = await runLayer('cpu', stock, shape);
    expectClose(await runLayer('wasm', fast, shape), expected);
    expectClose(await runLayer('cpu', fast, shape), expected);
  });

  it('serializes as the stock BatchNormalization and loads in stock TF.js', async () => {
    await tf.setBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 5 }),
        new FastBatchNorm(ARGS),
        tf.layers.dense({ units: 3 }),
      ],
    });
    // Moving statistics away from their initial values, through the training pass.
    const x = tf.tensor(values(40 * 6, 21), [40, 6]);
    for (let i = 0; i < 2; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    const json = model.toJSON(undefined, false) as unknown as {
      config: { layers: { class_name: string }[] };
    };
    expect(json.config.layers.map((l) => l.class_name)).toEqual([
      'Dense',
      'BatchNormalization',
      'Dense',
    ]);
    const copy = await tf.models.modelFromJSON({ modelTopology: json });
    expect(copy.layers[1]).not.toBeInstanceOf(FastBatchNorm);
    expect(copy.layers[1]!.getClassName()).toBe('BatchNormalization');
    copy.setWeights(model.getWeights());
    const expected = model.predict(x) as tf.Tensor;
    const actual = copy.predict(x) as tf.Tensor;
    expect(
      relativeError(actual.dataSync() as Float32Array, expected.dataSync() as Float32Array),
    ).toBe(0);
    tf.dispose([x, expected, actual]);
    model.dispose();
    copy.dispose();
  });
});
