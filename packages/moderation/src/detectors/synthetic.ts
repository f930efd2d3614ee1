/** Synthetic (GAN-made) image detector on top of a trained model from `trainSyntheticDetector`. */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { RgbImage } from '../input/decode.js';
import { reduceRgb } from '../input/reduce.js';
import { predictSynthetic, type SyntheticModel } from '../synthetic/train.js';
import { clampScore, type DetectorResult } from '../types.js';
import type { Detector } from './detector.js';

/**
 * Resizes a decoded image to the model's input and maps bytes to [-1, 1]. Colour inputs are
 * reduced as sharp's Lanczos-3 `resize` does (`reduceRgb`: the detector's training images were
 * resized by sharp), without a sharp pipeline per image (~2 ms of CPU each); grey inputs keep
 * sharp for its `b-w` conversion.
 */
async function toModelInput(
  image: RgbImage,
  [h, w, c]: [number, number, number],
): Promise<Float32Array> {
  if (c === 3) return reduceRgb(image, w, h).map((v) => v / 127.5 - 1);
  const bytes = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(w, h, { fit: 'fill' })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  return Float32Array.from(bytes.subarray(0, h * w * c), (v) => v / 127.5 - 1);
}

/**
 * Score = the model's P(generated). The reason names the generator and data the model knows:
 * a detector only recognises generators like the one it was trained against.
 */
export function createSyntheticDetector(trained: SyntheticModel): Detector {
  const [h, w, c] = trained.inputShape;
  return {
    name: 'synthetic-image',
    category: 'synthetic',
    reads: 'image',
    async detect(inputs) {
      const arrays = await Promise.all(
        inputs.map((i) => toModelInput(i.image!, trained.inputShape)),
      );
      const batch = new Float32Array(arrays.length * h * w * c);
      arrays.forEach((a, k) => batch.set(a, k * h * w * c));
      const x = tf.tensor4d(batch, [arrays.length, h, w, c]);
      const scores = await predictSynthetic(trained.model, x);
      x.dispose();
      return Array.from(scores, (p): DetectorResult => ({
        detector: 'synthetic-image',
        category: 'synthetic',
        score: clampScore(p),
        label: p >= 0.5 ? 'generated' : 'real',
        reason: `P(generated) ${p.toFixed(2)} from a CNN trained on ${trained.realDataset} vs ${trained.generator}`,
        details: {
          realDataset: trained.realDataset,
          generator: trained.generator,
          inputShape: trained.inputShape,
        },
      }));
    },
  };
}
