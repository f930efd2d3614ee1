import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';

import { PretrainedJudge } from '../src/metrics/extractor/pretrained-judge.js';

/** A small classifier on 8x8 RGB: conv, a named pool, a 3-class head. */
function network(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, activation: 'relu' })
    .apply(input) as tf.SymbolicTensor;
  const pool = tf.layers.averagePooling2d({ poolSize: 6, name: 'pool' }).apply(conv);
  const flat = tf.layers.flatten().apply(pool) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Four 4x4 RGB images in [-1, 1], back to back. */
const images = Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i * 0.7));

describe('PretrainedJudge', () => {
  let judge: PretrainedJudge | undefined;
  afterEach(() => judge?.dispose());

  it("reads the named layer's features after mapping [-1, 1] to the input range and resizing", async () => {
    const net = network();
    const pool = tf.model({ inputs: net.inputs, outputs: net.getLayer('pool').output });
    const x = tf.tensor4d(images, [4, 4, 4, 3]);
    const expected = tf.tidy(() =>
      (
        pool.predict(tf.image.resizeBilinear(x.mul(0.5).add<tf.Tensor4D>(0.5), [8, 8])) as tf.Tensor
      ).reshape([4, 4]),
    );
    const probabilities = tf.tidy(
      () =>
        net.predict(tf.image.resizeBilinear(x.mul(0.5).add<tf.Tensor4D>(0.5), [8, 8])) as tf.Tensor,
    );
    judge = new PretrainedJudge({ network: net, featureLayer: 'pool', imageShape: [4, 4, 3] });
    expect(judge.featureDim).toBe(4);
    expect(judge.outputDim).toBe(3);

    const embedding = await judge.embedArray(images, 4, 3); // batches of 3 and 1
    expect([embedding.features.rows, embedding.features.cols]).toEqual([4, 4]);
    const want = await expected.data();
    embedding.features.data.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    const wantP = await probabilities.data();
    embedding.probabilities.data.forEach((v, i) => expect(v).toBeCloseTo(wantP[i]!, 5));
    // The same through the tensor entry point.
    const f = await judge.features(x);
    f.data.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    tf.dispose([x, expected, probabilities]);
  });

  it('passes images through unchanged for a network trained on [-1, 1] at their size', async () => {
    const net = network();
    const pool = tf.model({ inputs: net.inputs, outputs: net.getLayer('pool').output });
    const pixels = Float32Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.cos(i));
    const expected = tf.tidy(() =>
      (pool.predict(tf.tensor4d(pixels, [2, 8, 8, 3])) as tf.Tensor).reshape([2, 4]),
    );
    judge = new PretrainedJudge({
      network: net,
      featureLayer: 'pool',
      imageShape: [8, 8, 3],
      inputRange: [-1, 1],
    });
    const want = await expected.data();
    (await judge.embedArray(pixels, 2)).features.data.forEach((v, i) =>
      expect(v).toBeCloseTo(want[i]!, 6),
    );
    expected.dispose();
  });

  it('names what is wrong: an unknown layer, other channels, a short array, another shape', async () => {
    const net = network();
    expect(
      () => new PretrainedJudge({ network: net, featureLayer: 'pool5', imageShape: [4, 4, 3] }),
    ).toThrow(/no layer named 'pool5'/);
    expect(
      () => new PretrainedJudge({ network: net, featureLayer: 'pool', imageShape: [4, 4, 1] }),
    ).toThrow(/takes 3 channels, the images have 1/);
    judge = new PretrainedJudge({ network: net, featureLayer: 'pool', imageShape: [4, 4, 3] });
    await expect(judge.embedArray(images.subarray(1), 4)).rejects.toThrow(
      /is not 4 images of 4x4x3/,
    );
    const wrong = tf.zeros<tf.Rank.R4>([1, 5, 4, 3]);
    await expect(judge.features(wrong)).rejects.toThrow(/shape \[4, 4, 3\], got \[5, 4, 3\]/);
    wrong.dispose();
  });
});
