/**
 * DiffAugment (Zhao et al. 2020): differentiable colour, translation and cutout augmentations,
 * applied to real and fake images alike before the discriminator so D cannot memorise a small
 * training set while G still receives gradients through the augmentation.
 *
 * Random parameters come from the caller's `random()` (the trainer's counter-based PRNG), so an
 * augmented step replays exactly after a resume. Translation is a product with 0/1 shift matrices
 * (a batched matmul) rather than per-example slicing, which is slow on wasm.
 */
import * as tf from '@tensorflow/tfjs';

import type { AugmentPolicy } from '../config.js';

/** Uniform [0, 1) source. */
export type UniformSource = () => number;

/** Shift: fraction of the side a translation may move the image (the paper's 1/8). */
const translationRatio = 0.125;
/** Cutout: side of the erased square as a fraction of the image side (the paper's 1/2). */
const cutoutRatio = 0.5;

function perExample(batch: number, random: UniformSource, map: (u: number) => number): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: batch }, () => map(random())),
    [batch, 1, 1, 1],
  );
}

/** Random brightness, saturation and contrast, per example. */
export function augmentColor(x: tf.Tensor4D, random: UniformSource): tf.Tensor4D {
  const batch = x.shape[0];
  return tf.tidy(() => {
    let y: tf.Tensor4D = tf.add(
      x,
      perExample(batch, random, (u) => u - 0.5),
    );
    const channelMean = tf.mean(y, 3, true);
    y = tf.add(
      tf.mul(
        tf.sub(y, channelMean),
        perExample(batch, random, (u) => u * 2),
      ),
      channelMean,
    );
    const imageMean = tf.mean(y, [1, 2, 3], true);
    return tf.add(
      tf.mul(
        tf.sub(y, imageMean),
        perExample(batch, random, (u) => u + 0.5),
      ),
      imageMean,
    );
  });
}

/** `[batch, n, n]` matrices M with M[b][i][k] = 1 where k = i - shift[b] (zero fill outside). */
function shiftMatrices(shifts: readonly number[], n: number, transposed: boolean): tf.Tensor3D {
  const data = new Float32Array(shifts.length * n * n);
  shifts.forEach((shift, b) => {
    for (let i = 0; i < n; i++) {
      const k = i - shift;
      if (k < 0 || k >= n) continue;
      data[b * n * n + (transposed ? k * n + i : i * n + k)] = 1;
    }
  });
  return tf.tensor3d(data, [shifts.length, n, n]);
}

/** Random integer translation by up to 1/8 of each side, zero padded. */
export function augmentTranslation(x: tf.Tensor4D, random: UniformSource): tf.Tensor4D {
  const [batch, h, w, c] = x.shape;
  const maxY = Math.round(h * translationRatio);
  const maxX = Math.round(w * translationRatio);
  const draw = (max: number): number => Math.min(max, Math.floor(random() * (2 * max + 1)) - max);
  const dy: number[] = [];
  const dx: number[] = [];
  for (let b = 0; b < batch; b++) {
    dy.push(draw(maxY));
    dx.push(draw(maxX));
  }
  // Repeat each example's matrices once per channel: the image is laid out as [batch*channels, h, w].
  const perChannel = (v: number[]): number[] => v.flatMap((s) => Array<number>(c).fill(s));
  return tf.tidy(() => {
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [batch * c, h, w]);
    const rows = shiftMatrices(perChannel(dy), h, false);
    const cols = shiftMatrices(perChannel(dx), w, true);
    const moved = tf.matMul(tf.matMul(rows, planes), cols);
    return tf.transpose(tf.reshape(moved, [batch, c, h, w]), [0, 2, 3, 1]);
  });
}

/** Erases one random square of half the side per example (it may be clipped by the border). */
export function augmentCutout(x: tf.Tensor4D, random: UniformSource): tf.Tensor4D {
  const [batch, h, w] = x.shape;
  const sizeY = Math.round(h * cutoutRatio);
  const sizeX = Math.round(w * cutoutRatio);
  const mask = new Float32Array(batch * h * w).fill(1);
  for (let b = 0; b < batch; b++) {
    const top = Math.floor(random() * h) - Math.floor(sizeY / 2);
    const left = Math.floor(random() * w) - Math.floor(sizeX / 2);
    for (let i = Math.max(0, top); i < Math.min(h, top + sizeY); i++) {
      mask.fill(
        0,
        b * h * w + i * w + Math.max(0, left),
        b * h * w + i * w + Math.min(w, left + sizeX),
      );
    }
  }
  return tf.tidy(() => tf.mul(x, tf.tensor4d(mask, [batch, h, w, 1])));
}

const augmenters: Record<AugmentPolicy, (x: tf.Tensor4D, random: UniformSource) => tf.Tensor4D> = {
  color: augmentColor,
  translation: augmentTranslation,
  cutout: augmentCutout,
};

/** Applies `policies` in the paper's order (color, translation, cutout); returns `x` itself for none. */
export function diffAugment(
  x: tf.Tensor4D,
  policies: readonly AugmentPolicy[],
  random: UniformSource,
): tf.Tensor4D {
  const ordered = (['color', 'translation', 'cutout'] as const).filter((p) => policies.includes(p));
  if (ordered.length === 0) return x;
  return tf.tidy(() => ordered.reduce((y, policy) => augmenters[policy](y, random), x));
}
