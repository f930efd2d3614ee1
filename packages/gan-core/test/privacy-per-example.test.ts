import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { discriminatorRealLoss } from '../src/losses/adversarial.js';
import type { ModelKind } from '../src/config.js';
import { buildGan } from '../src/models/index.js';
import { fastConv2d } from '../src/models/fast-conv2d.js';
import { fastDense } from '../src/models/fast-dense.js';
import { clippedGradientSum } from '../src/privacy/dp-sgd.js';
import { perExampleClippedSum, perExampleUnsupported } from '../src/privacy/per-example.js';
import { oneHotLabels } from '../src/sampling/sample.js';
import { mnist, setupBackend } from './gan-helpers.js';

beforeAll(() => setupBackend());

const seeds = { nextSeed: () => 7 };
const realLoss = (logits: tf.Tensor) => discriminatorRealLoss('bce', logits);

/** Largest |a - b| over all tensors, relative to the largest |b|. */
function relativeError(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((t, i) => {
    const x = t.dataSync();
    const y = (b[i] as tf.Tensor).dataSync();
    for (let j = 0; j < x.length; j++) {
      diff = Math.max(diff, Math.abs((x[j] as number) - (y[j] as number)));
      scale = Math.max(scale, Math.abs(y[j] as number));
    }
  });
  return diff / scale;
}

/** The one-pass sum against the one-backward-per-example reference on `n` real digits. */
async function compare(model: tf.LayersModel, conditional: boolean, n: number, clip?: number) {
  const { images, labels } = (await mnist()).examples!(Int32Array.from({ length: n }, (_, i) => i));
  const onehot = conditional ? oneHotLabels(labels!, 10) : null;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // training: false, so that dropout (whose masks depend on the batch shape) is the identity.
  const logits = (x: tf.Tensor, y: tf.Tensor | null) =>
    model.apply(y === null ? x : [x, y], { training: false }) as tf.Tensor;
  const slice = (t: tf.Tensor, i: number) =>
    tf.slice(t, [i, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1)]);
  const fastSum = (clipNorm: number) =>
    perExampleClippedSum(
      model,
      vars,
      n,
      () => tf.mul<tf.Scalar>(realLoss(logits(images, onehot)), n),
      clipNorm,
    );
  // Unclipped, the one-pass norms set a clip norm at their median unless one is given.
  const unclipped = fastSum(1e9);
  tf.dispose(unclipped.sums);
  const clipNorm = clip ?? Array.from(unclipped.norms).sort((a, b) => a - b)[n >> 1] ?? NaN;
  const reference = clippedGradientSum(
    vars,
    n,
    (i) => realLoss(logits(slice(images, i), onehot && slice(onehot, i))),
    clipNorm,
  );
  const fast = fastSum(clipNorm);
  const error = relativeError(fast.sums, reference.sums);
  const norms = unclipped.norms;
  const clipped = norms.filter((v) => v > clipNorm).length;
  const result = { error, meanLoss: [fast.meanLoss, reference.meanLoss], norms, clipped };
  tf.dispose([images, ...reference.sums, ...fast.sums]);
  onehot?.dispose();
  return result;
}

describe('per-example clipped sums in one pass', () => {
  it.each<[ModelKind, boolean]>([
    ['mlp', false],
    ['dcgan', false],
    ['cdcgan', true],
  ])(
    'equal the per-example backward passes for the %s discriminator',
    async (kind, conditional) => {
      const { discriminator } = buildGan(kind, {
        shape: [28, 28, 1],
        latentDim: 8,
        numClasses: conditional ? 10 : 0,
        seeds,
      });
      expect(perExampleUnsupported(discriminator)).toEqual([]);
      // A clip norm between the examples' norms: about half are clipped, half are not.
      const { error, meanLoss, norms, clipped } = await compare(discriminator, conditional, 8);
      expect(clipped).toBeGreaterThan(0);
      expect(clipped).toBeLessThan(norms.length);
      expect(error).toBeLessThan(1e-4);
      expect(meanLoss[0]).toBeCloseTo(meanLoss[1] as number, 4);
      discriminator.dispose();
    },
    120_000,
  );

  it("covers 'valid' padding, stride 1, no bias, and refuses other weighted layers", async () => {
    const image = tf.input({ shape: [28, 28, 1] });
    let x = fastConv2d({ filters: 3, kernelSize: 3, strides: 1, padding: 'valid' }).apply(
      image,
    ) as tf.SymbolicTensor;
    x = fastConv2d({ filters: 4, kernelSize: 4, strides: 3, useBias: false }).apply(
      x,
    ) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const out = fastDense({ units: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: image, outputs: out });
    const { error } = await compare(model, false, 6, 0.05);
    expect(error).toBeLessThan(1e-4);

    const withNorm = tf.model({
      inputs: image,
      outputs: tf.layers.layerNormalization().apply(image) as tf.SymbolicTensor,
    });
    expect(perExampleUnsupported(withNorm)).toEqual([
      expect.stringContaining('LayerNormalization'),
    ]);
    model.dispose();
  });
});
