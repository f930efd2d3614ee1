import { existsSync } from 'node:fs';
import { initBackend, layersModelArtifacts, loadNativeAddon } from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSetPhoto, photoSet } from '../src/eval/photo-set.js';
import { readBundledNsfwModel } from '../src/nsfw/convert.js';
import { foldLayersModel, nsfwFoldOptions, NSFW_PRECISION_ENV } from '../src/nsfw/folded.js';
import { NSFW_INT8_RANGES } from '../src/nsfw/int8-ranges.js';

/** Where gan-core's addon was built with oneDNN, the convolutional trunk must run on it. */
const ONEDNN =
  existsSync('/usr/include/oneapi/dnnl/dnnl.hpp') && loadNativeAddon().module !== undefined;

/** The classifier's input for four real photos of the set (two banked, two unrelated). */
async function realPhotos(): Promise<tf.Tensor4D> {
  const { banked, unrelated } = photoSet();
  const photos = [banked[0]!, banked[3]!, unrelated[1]!, unrelated[4]!];
  const pixels = await Promise.all(
    photos.map(async (p) =>
      sharp(await loadSetPhoto(p))
        .resize(224, 224, { fit: 'fill' })
        .removeAlpha()
        .raw()
        .toBuffer(),
    ),
  );
  return tf.tensor4d(
    Float32Array.from(Buffer.concat(pixels), (v) => v / 255),
    [photos.length, 224, 224, 3],
  );
}

describe('batch-norm-folded MobileNetV2', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    await initBackend({ logger: null }); // wasm with gan-core's native kernels, as in production
    const { modelJson, weights } = readBundledNsfwModel('mobilenet_v2');
    model = await tf.loadLayersModel(tf.io.fromMemory(layersModelArtifacts(modelJson, weights)));
  });

  it('gives the layers model’s class probabilities within 1e-4 on real photos', async () => {
    const x = await realPhotos();
    const folded = foldLayersModel(model);
    expect(folded.steps).toBeLessThan(model.layers.length / 2);
    // All but the head (pooling, dense, softmax) on oneDNN: what this comparison checks.
    if (ONEDNN) expect(folded.nativeSteps).toBeGreaterThan(60);
    const expected = model.predict(x) as tf.Tensor2D;
    const actual = folded.predict(x);
    const want = await expected.data();
    const got = await actual.data();
    expect(actual.shape).toEqual([4, 5]);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got[i]!));
    console.log(`folded vs layers model, max |difference| of the probabilities: ${maxDiff}`);
    expect(maxDiff).toBeLessThan(1e-4);
    // The photos are not all alike: the comparison would catch a constant output.
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.3);
    // From the pixels' array (the classifier's path): the same values as from a tensor.
    const fromPixels = folded.predictPixels(x.dataSync() as Float32Array, [4, 224, 224, 3]);
    expect(Array.from(await fromPixels.data())).toEqual(Array.from(got));
    fromPixels.dispose();
    const before = tf.memory().numTensors;
    folded.predict(x).dispose();
    expect(tf.memory().numTensors).toBe(before); // intermediates freed
    for (const t of [x, expected, actual]) t.dispose();
    folded.dispose();
  });

  it('turns a ZeroPadding2D before a valid convolution into its padding (no padded copy)', async () => {
    const seq = tf.sequential({
      layers: [
        tf.layers.zeroPadding2d({
          inputShape: [9, 8, 6],
          padding: [
            [0, 1],
            [1, 1],
          ],
        }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', useBias: true }),
        tf.layers.zeroPadding2d({
          padding: [
            [1, 0],
            [0, 1],
          ],
        }),
        tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid' }),
      ],
    });
    const folded = foldLayersModel(seq);
    expect(folded.steps).toBe(2); // the two convolutions, no pad
    expect(folded.nativeSteps).toBe(ONEDNN ? 2 : 0); // explicit asymmetric padding on oneDNN too
    const x = tf.randomUniform<tf.Rank.R4>([3, 9, 8, 6], -1, 1, 'float32', 7);
    const want = await (seq.predict(x) as tf.Tensor).data();
    const y = folded.predict(x);
    expect(y.shape).toEqual([3, 2, 2, 5]); // 9x8 -> 10x10 -> 4x4 -> 5x5 -> 2x2
    const got = await y.data();
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    folded.dispose();
  });

  it.runIf(ONEDNN)(
    'keeps bf16 and int8 trunks within their measured distance of f32 on real photos',
    async () => {
      const x = await realPhotos();
      const f32 = foldLayersModel(model);
      const probabilities = async (m: typeof f32) => {
        const y = m.predict(x);
        const v = await y.data();
        y.dispose();
        return v;
      };
      const want = await probabilities(f32);
      // On the bench's 226 images (bench:nsfw-precision) bf16 moved a probability by at most
      // 0.18 (mean 0.007), int8 by at most 0.43 (mean 0.02). These photos belong to the benign
      // set, whose fit half calibrated int8: a regression check, not an accuracy estimate (on them:
      // bf16 max 0.067, mean 0.0074; int8 max 0.36, mean 0.042).
      for (const [precision, maxLimit, meanLimit] of [
        ['bf16', 0.2, 0.015],
        ['int8', 0.45, 0.06],
      ] as const) {
        const folded = foldLayersModel(model, nsfwFoldOptions({ [NSFW_PRECISION_ENV]: precision }));
        const got = await probabilities(folded);
        let max = 0;
        let sum = 0;
        for (let i = 0; i < want.length; i++) {
          const d = Math.abs(want[i]! - got[i]!);
          max = Math.max(max, d);
          sum += d;
        }
        console.log(
          `${folded.precision} vs f32: max |Δp| ${max.toFixed(4)}, mean ${(sum / want.length).toFixed(5)}`,
        );
        if (folded.precision === precision) {
          expect(max).toBeGreaterThan(0); // the trunk really ran in that precision
          expect(max).toBeLessThan(maxLimit);
          expect(sum / want.length).toBeLessThan(meanLimit);
        } else {
          expect(folded.precision).toBe('f32'); // not native to this CPU: gated to f32
          expect(max).toBeLessThan(1e-6);
        }
        folded.dispose();
      }
      x.dispose();
      f32.dispose();
    },
  );

  it('reads the precision from GANMOD_NSFW_PRECISION, int8 with the shipped calibration', () => {
    expect(nsfwFoldOptions({})).toEqual({});
    expect(nsfwFoldOptions({ [NSFW_PRECISION_ENV]: 'bf16' })).toEqual({ precision: 'bf16' });
    const int8 = nsfwFoldOptions({ [NSFW_PRECISION_ENV]: 'int8' });
    // [min, max] of the input and of the trunk's 62 nodes, input pixels in [0, 1].
    expect(int8.ranges).toHaveLength(2 * 63);
    expect([NSFW_INT8_RANGES[0], NSFW_INT8_RANGES[1]]).toEqual([0, 1]);
    expect(() => nsfwFoldOptions({ [NSFW_PRECISION_ENV]: 'fp16' })).toThrow(/f32, bf16 or int8/);
  });

  it('refuses a layer it does not know, naming it', () => {
    const seq = tf.sequential({
      layers: [tf.layers.maxPooling2d({ inputShape: [8, 8, 3], poolSize: 2, name: 'pool' })],
    });
    expect(() => foldLayersModel(seq)).toThrow(/pool \(MaxPooling2D\)/);
  });
});
