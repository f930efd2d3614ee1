import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { symmetricEigen } from '../src/metrics/stats/eigen.js';
import {
  powerIterate,
  snConv2d,
  snDense,
  spectralNormLayers,
  type SpectralNormLayer,
} from '../src/models/spectral-norm.js';
import { CounterRng } from '../src/train/prng.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

/** A one-layer model around a spectrally normalised dense layer with kernel `w` (`[in][out]`). */
function denseWith(w: number[][]): { model: tf.LayersModel; layer: SpectralNormLayer } {
  const rows = w.length;
  const cols = w[0]?.length ?? 0;
  const layer = snDense({ units: cols, useBias: false });
  const input = tf.input({ shape: [rows] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  layer.setWeights([tf.tensor2d(w), ...layer.getWeights().slice(1)]);
  return { model, layer };
}

function iterate(model: tf.LayersModel, times: number): void {
  for (let i = 0; i < times; i++) powerIterate(model);
}

/** The largest singular value of `w` from the eigenvalues of W^T W (Householder + QL, not power iteration). */
function largestSingularValue(w: number[][]): number {
  const cols = w[0]?.length ?? 0;
  const gram = new Float64Array(cols * cols);
  for (const row of w)
    for (let i = 0; i < cols; i++)
      for (let j = 0; j < cols; j++)
        gram[i * cols + j] = (gram[i * cols + j] ?? 0) + (row[i] ?? 0) * (row[j] ?? 0);
  const { values } = symmetricEigen(gram, cols);
  return Math.sqrt(values[cols - 1] ?? NaN);
}

function randomMatrix(rows: number, cols: number, seed: number): number[][] {
  const rng = new CounterRng(seed);
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => rng.nextFloat() * 2 - 1),
  );
}

describe('spectral normalisation: the power iteration', () => {
  it('finds the closed-form largest singular value of small matrices', () => {
    // [[2, 1], [1, 2]] is symmetric with eigenvalues 3 and 1: its singular values are 3 and 1.
    const two = denseWith([
      [2, 1],
      [1, 2],
    ]);
    iterate(two.model, 30);
    expect(two.layer.sigma()).toBeCloseTo(3, 4);

    // U diag(5, 2, 1) V^T with U a signed permutation and V a 45-degree rotation: sigma_max = 5.
    const r = Math.SQRT1_2;
    const v = [
      [r, -r, 0],
      [r, r, 0],
      [0, 0, 1],
    ];
    const s = [5, 2, 1];
    const u = [
      [0, 1, 0],
      [0, 0, -1],
      [1, 0, 0],
    ];
    const w = u.map((row) =>
      [0, 1, 2].map((j) =>
        row.reduce((acc, uik, k) => acc + uik * (s[k] ?? 0) * (v[j]?.[k] ?? 0), 0),
      ),
    );
    const three = denseWith(w);
    iterate(three.model, 40);
    expect(three.layer.sigma()).toBeCloseTo(5, 4);
  });

  it('matches an eigendecomposition on random matrices, converging as it iterates', () => {
    for (const [rows, cols, seed] of [
      [7, 5, 1],
      [4, 9, 2],
    ] as const) {
      const w = randomMatrix(rows, cols, seed);
      const expected = largestSingularValue(w);
      const { model, layer } = denseWith(w);
      const errors: number[] = [];
      for (let i = 0; i < 5; i++) {
        iterate(model, 10);
        errors.push(Math.abs(layer.sigma() - expected));
      }
      expect(errors.at(-1)).toBeLessThan(1e-3 * expected);
      // Never above sigma_max: u^T W v <= ||W|| for unit u, v.
      expect(layer.sigma()).toBeLessThanOrEqual(expected * (1 + 1e-5));
      expect(errors[0]).toBeGreaterThanOrEqual(errors.at(-1) ?? Infinity);
    }
  });

  it('normalises a conv kernel as the [kh*kw*cin, cout] matrix', () => {
    const layer = snConv2d({ filters: 3, kernelSize: 2, padding: 'valid' });
    const input = tf.input({ shape: [4, 4, 2] });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    const flat = randomMatrix(8, 3, 3);
    const kernel = tf.tensor4d(flat.flat(), [2, 2, 2, 3]);
    const [, bias, ...vectors] = layer.getWeights();
    layer.setWeights([kernel, bias as tf.Tensor, ...vectors]);
    iterate(model, 60);
    expect(layer.sigma()).toBeCloseTo(largestSingularValue(flat), 3);

    // The forward pass convolves with W / sigma (plus the bias).
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 7);
    const y = model.predict(x) as tf.Tensor;
    const expected = tf.add(
      tf.conv2d(x as tf.Tensor4D, tf.div<tf.Tensor4D>(kernel, layer.sigma()), 1, 'valid'),
      bias as tf.Tensor,
    );
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('keeps u and v as non-trainable weights (checkpoints carry them) and iterates on request only', () => {
    const { model, layer } = denseWith(randomMatrix(6, 4, 4));
    expect(spectralNormLayers(model)).toEqual([layer]);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual([
      expect.stringMatching(/kernel$/),
    ]);
    expect(model.nonTrainableWeights.map((w) => w.originalName.split('/').at(-1))).toEqual([
      'sn_u',
      'sn_v',
    ]);
    const before = layer.sigma();
    // Applying the layer (training or not) reads u and v, it does not advance them.
    model.apply(tf.ones([2, 6]), { training: true });
    expect(layer.sigma()).toBe(before);
    powerIterate(model);
    expect(layer.sigma()).not.toBe(before);
  });
});
