/** Drawing images from a generator, and latent-space interpolation. */
import * as tf from '@tensorflow/tfjs';
import { interpolateLatents } from './latent.js';
import { checkTruncation } from './latent.js';
import { truncatedLatents } from './truncation.js';

/** What a generator expects, read from its inputs: `[z]` or `[z, one-hot label]`. */
export interface GeneratorSignature {
  latentDim: number;
  /** 0 for unconditional generators. */
  numClasses: number;
}

/** Reads the latent size and class count from a generator's input layers. */
export function generatorSignature(generator: tf.LayersModel): GeneratorSignature {
  const [z, label] = generator.inputs;
  const latentDim = z?.shape[1];
  if (z === undefined || latentDim == null || generator.inputs.length > 2) {
    throw new Error(
      `${generator.name} does not look like a generator: expected inputs [z] or [z, label]`,
    );
  }
  const numClasses = label?.shape[1] ?? 0;
  if (numClasses == null) throw new Error(`${generator.name}'s label input has an unknown size`);
  return { latentDim, numClasses };
}

/** One-hot float32 `[labels.length, numClasses]`. */
export function oneHotLabels(labels: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  const data = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(
        `label ${label} is out of range: this generator has classes 0..${numClasses - 1}`,
      );
    }
    data[i * numClasses + label] = 1;
  }
  return tf.tensor2d(data, [labels.length, numClasses]);
}

/** True for a generator of 2-D points (model toy-mlp): its output is `[batch, dims]`, not an image. */
export function isPointGenerator(generator: tf.LayersModel): boolean {
  return generator.outputs[0]?.shape.length === 2;
}

/** Runs a generator in inference mode (BatchNorm uses its moving statistics). */
export function generate(
  generator: tf.LayersModel,
  z: tf.Tensor2D,
  labels?: ArrayLike<number>,
): tf.Tensor4D {
  if (isPointGenerator(generator)) {
    throw new Error(
      `${generator.name} generates 2-D points, not images: use generatePoints / samplePoints`,
    );
  }
  const { numClasses } = generatorSignature(generator);
  return tf.tidy(() => {
    if (numClasses === 0) return generator.apply(z, { training: false }) as tf.Tensor4D;
    if (labels === undefined) throw new Error('this generator is class-conditional: pass a label');
    return generator.apply([z, oneHotLabels(labels, numClasses)], {
      training: false,
    }) as tf.Tensor4D;
  });
}

/**
 * What {@link evaluateGenerator} draws from a generator: `n` images from seeded latent noise (seeds
 * `seed`, `seed + 1`, … per call, so an evaluation is reproducible), with the requested labels for a
 * conditional generator. `truncation` (default Infinity: none) restricts every latent coordinate to
 * [-truncation, truncation], BigGAN's truncation trick ({@link truncatedLatents}).
 */
export function evaluationSampler(
  generator: tf.LayersModel,
  seed = 7919,
  truncation = Infinity,
): (n: number, labels?: Int32Array) => tf.Tensor4D {
  const { latentDim } = generatorSignature(generator);
  checkTruncation(truncation);
  let draw = 0;
  return (n, labels) =>
    tf.tidy(() =>
      generate(generator, truncatedLatents(n, latentDim, seed + draw++, truncation), labels),
    );
}

export interface SampleOptions {
  /** Number of images. */
  n: number;
  /** Seed of the latent noise: the same seed gives the same images. */
  seed: number;
  /** Class to generate (one for all images, or one per image); required for conditional generators. */
  label?: number | readonly number[];
  /**
   * Truncation threshold of the latents (BigGAN's trick, {@link truncatedLatents}): smaller draws
   * more typical, less varied images. Default Infinity: plain N(0, I).
   */
  truncation?: number;
}

/** Draws `n` images `[n, h, w, c]` in [-1, 1]; the caller disposes the result. */
export function sample(
  generator: tf.LayersModel,
  { n, seed, label, truncation = Infinity }: SampleOptions,
): tf.Tensor4D {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const { latentDim } = generatorSignature(generator);
  const labels =
    label === undefined
      ? undefined
      : typeof label === 'number'
        ? Array<number>(n).fill(label)
        : label;
  if (labels !== undefined && labels.length !== n) {
    throw new RangeError(`got ${labels.length} labels for ${n} images`);
  }
  return tf.tidy(() =>
    generate(generator, truncatedLatents(n, latentDim, seed, truncation), labels),
  );
}

/** Runs a point generator (model toy-mlp) on latents `z`: points `[n, 2]` in native coordinates. */
export function generatePoints(generator: tf.LayersModel, z: tf.Tensor2D): tf.Tensor2D {
  if (!isPointGenerator(generator)) {
    throw new Error(`${generator.name} generates images, not points: use generate / sample`);
  }
  return tf.tidy(() => generator.apply(z, { training: false }) as tf.Tensor2D);
}

/** Draws `n` points `[n, 2]` from a point generator with latent `seed`; the caller disposes the result. */
export function samplePoints(
  generator: tf.LayersModel,
  { n, seed }: Pick<SampleOptions, 'n' | 'seed'>,
): tf.Tensor2D {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const { latentDim } = generatorSignature(generator);
  return tf.tidy(() =>
    generatePoints(generator, tf.randomNormal([n, latentDim], 0, 1, 'float32', seed)),
  );
}

/**
 * Spherical interpolation between latent vectors `a` and `b` (`[latentDim]`): `steps` points from a
 * to b inclusive, `[steps, latentDim]`. Gaussian latents live near a sphere, so slerp keeps every
 * point at a typical norm where a straight line would pass through low-density space.
 */
export function interpolate(a: tf.Tensor1D, b: tf.Tensor1D, steps: number): tf.Tensor2D {
  if (!Number.isInteger(steps) || steps < 2)
    throw new RangeError(`steps must be an integer >= 2, got ${steps}`);
  if (a.shape[0] !== b.shape[0])
    throw new RangeError(`latent sizes differ: ${a.shape[0]} vs ${b.shape[0]}`);
  const dim = a.shape[0];
  const out = new Float32Array(steps * dim);
  interpolateLatents(a.dataSync(), b.dataSync(), steps).forEach((row, s) => out.set(row, s * dim));
  return tf.tensor2d(out, [steps, dim]);
}
