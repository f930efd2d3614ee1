/**
 * What the synthetic-image detector trains against: any function producing images, and the
 * stand-in used when no trained GAN is at hand.
 */
import * as tf from '@tensorflow/tfjs';

/** Produces `n` images `[n, h, w, c]` in [-1, 1] (the tanh range of GAN generators). */
export type ImageGenerator = (n: number, seed: number) => tf.Tensor4D | Promise<tf.Tensor4D>;

/** Real images in memory, HWC in [-1, 1]; an `ImageDataset` from `@ganmod/datasets` fits. */
export interface RealImageSet {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly data: Float32Array;
}

/** Copies images `indices` of `set` into one tensor. */
export function realBatch(set: RealImageSet, indices: readonly number[]): tf.Tensor4D {
  const [h, w, c] = set.shape as [number, number, number];
  const per = h * w * c;
  const out = new Float32Array(indices.length * per);
  indices.forEach((idx, k) => out.set(set.data.subarray(idx * per, (idx + 1) * per), k * per));
  return tf.tensor4d(out, [indices.length, h, w, c]);
}

/**
 * STAND-IN, not a GAN: blends two random real images 50/50 and adds mild Gaussian noise. It mimics
 * a weak generator's ghosting and texture noise so the detector pipeline can be trained and
 * evaluated before a trained generator exists. Numbers measured against it say nothing about
 * detecting a real GAN; train against `gan-core`'s `loadGenerator` + `sample` for that.
 */
export function blendStandInGenerator(set: RealImageSet, noise = 0.08): ImageGenerator {
  return (n, seed) => {
    let s = seed >>> 0;
    const next = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const a = Array.from({ length: n }, () => Math.floor(next() * set.size));
    const b = Array.from({ length: n }, () => Math.floor(next() * set.size));
    const ta = realBatch(set, a);
    const tb = realBatch(set, b);
    const out = tf.tidy(() =>
      ta
        .add(tb)
        .mul(0.5)
        .add(tf.randomNormal(ta.shape, 0, noise, 'float32', seed))
        .clipByValue(-1, 1),
    ) as tf.Tensor4D;
    tf.dispose([ta, tb]);
    return out;
  };
}
