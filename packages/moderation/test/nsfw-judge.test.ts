// The explicit detector's MobileNetV2 as gan-core's second judge of generated avatars: on real
// emoji its global pool must tell real images from blurred and noised ones, which the emoji
// classifier's features barely do (gan-core docs/metrics.md, "A second judge").
import { loadEmoji } from '@ganmod/datasets';
import { PretrainedJudge, kernelInceptionDistance, type FeatureMatrix } from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNsfwNetwork } from '../src/nsfw/classifier.js';

/** Images per side: small enough for a few seconds of CPU, enough for KID's unbiased estimate. */
const N = 48;

describe('the NSFW MobileNetV2 as a judge of emoji avatars', () => {
  let judge: PretrainedJudge;
  let reference: FeatureMatrix;
  let candidates: Float32Array;
  const shape = [64, 64, 3] as const;
  const len = 64 * 64 * 3;

  beforeAll(async () => {
    const { model } = await loadNsfwNetwork('mobilenet_v2');
    judge = new PretrainedJudge({ network: model, featureLayer: 'flatten_1', imageShape: shape });
    const { dataset } = await loadEmoji({ split: 'test' });
    // Two disjoint sets of real emoji: every other image.
    const real = new Float32Array(N * len);
    candidates = new Float32Array(N * len);
    for (let i = 0; i < N; i++) {
      real.set(dataset.data.subarray(2 * i * len, (2 * i + 1) * len), i * len);
      candidates.set(dataset.data.subarray((2 * i + 1) * len, (2 * i + 2) * len), i * len);
    }
    reference = (await judge.embedArray(real, N)).features;
  });
  afterAll(() => judge?.dispose());

  /** KID x 100 of `data` against the reference, in the judge's feature space. */
  async function kid(data: Float32Array): Promise<number> {
    const other = (await judge.embedArray(data, N)).features;
    return 100 * kernelInceptionDistance(reference, other, { subsets: 20 }).mean;
  }

  /** `candidates` changed by `fn`, as a flat array. */
  async function changed(fn: (x: tf.Tensor4D) => tf.Tensor4D): Promise<Float32Array> {
    const out = tf.tidy(() => fn(tf.tensor4d(candidates, [N, ...shape])));
    const data = await out.data<'float32'>();
    out.dispose();
    return data;
  }

  it('reads 1280 features and keeps real emoji close, blurred and noised ones far', async () => {
    expect(judge.featureDim).toBe(1280);
    const real = await kid(candidates);
    // A 3x3 box blur (about a 1 px Gaussian) and noise of sd 0.1 on pixels in [-1, 1].
    const blurred = await kid(await changed((x) => tf.avgPool(x, 3, 1, 'same')));
    const noised = await kid(
      await changed((x) =>
        tf.clipByValue(x.add<tf.Tensor4D>(tf.randomNormal(x.shape, 0, 0.1, 'float32', 7)), -1, 1),
      ),
    );
    // Real vs real: ~0 (KID's estimate is unbiased); the ladder at n = 1,000 gave 0.0 / 6.8 / 13.
    const fmt = (v: number) => v.toFixed(2);
    console.log(
      `KID x 100 (n ${N}): real ${fmt(real)}, blurred ${fmt(blurred)}, noised ${fmt(noised)}`,
    );
    expect(Math.abs(real)).toBeLessThan(1);
    expect(blurred).toBeGreaterThan(2);
    expect(noised).toBeGreaterThan(2);
  });
});
