/**
 * DP-MERF (Harder, Adamczewski & Park, AISTATS 2021): release ONE noisy class-conditional mean
 * embedding of the training images with random Fourier features (RFF), then train a conditional
 * generator to match it (an MMD with the RFF kernel). The generator only ever reads the released
 * embedding, so it is post-processing of a single Gaussian mechanism, whatever its step count.
 *
 * Features: φ(x) = sqrt(1/D)·[cos(Wx), sin(Wx)], W ~ N(0, 1/ℓ²) of shape (D, d) drawn from a public
 * seed, so ‖φ(x)‖ = 1 exactly. Each example contributes v_i = [φ(x_i) ⊗ onehot(y_i), onehot(y_i)]
 * (norm √2); the release is S̃ = Σ v_i + N(0, 2σ²·I): one Gaussian mechanism of L2 sensitivity √2
 * under add/remove adjacency. The noise comes from the operating system's CSPRNG, never from the
 * run's (public) seed: anyone holding a seed could otherwise subtract the noise. A run therefore
 * stores its release (checkpoints) instead of recomputing it.
 */
import { randomFillSync } from 'node:crypto';

import * as tf from '@tensorflow/tfjs';

import type { TrainingImages } from '../train/data.js';
import { CounterRng } from '../train/prng.js';
import { boxMuller, gaussianFromWords, type GaussianSource } from './gaussian.js';
export type { GaussianSource } from './gaussian.js';
import { dpSgdEpsilon, noiseForEpsilon } from './rdp.js';

/** L2 sensitivity of Σ v_i under adding or removing one example: ‖v_i‖ = √(‖φ‖² + 1) = √2. */
export const meanEmbeddingSensitivity = Math.SQRT2;

/** The public random-feature map: frequencies W (stored transposed, `[inputDim, features]`). */
export interface RffMap {
  /** `[inputDim, features]`: x·Wᵀ gives the D phases of each row x. */
  readonly frequencies: tf.Tensor2D;
  /** D, the number of frequencies (φ has 2D entries). */
  readonly features: number;
  readonly bandwidth: number;
  readonly inputDim: number;
}

/**
 * Draws the RFF frequencies W ~ N(0, 1/ℓ²) from `seed` (public randomness: the same seed gives the
 * same map on every backend, since tf.randomNormal draws on the CPU side).
 */
export function rffMap(opts: {
  features: number;
  bandwidth: number;
  inputDim: number;
  seed: number;
}): RffMap {
  const { features, bandwidth, inputDim, seed } = opts;
  if (!(Number.isInteger(features) && features >= 1))
    throw new RangeError(`features must be a positive integer, got ${features}`);
  if (!(bandwidth > 0)) throw new RangeError(`bandwidth must be > 0, got ${bandwidth}`);
  const stream = new CounterRng((seed ^ 0x3c6ef372) >>> 0);
  const frequencies = tf.randomNormal<tf.Rank.R2>(
    [inputDim, features],
    0,
    1 / bandwidth,
    'float32',
    stream.nextSeed(),
  );
  return { frequencies, features, bandwidth, inputDim };
}

/** φ of each row of `x` (`[n, inputDim]`, any shape flattening to it): `[n, 2D]`, each row of norm 1. */
export function rffFeatures(x: tf.Tensor, map: RffMap): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = x.reshape<tf.Tensor2D>([-1, map.inputDim]);
    const phase = tf.matMul(flat, map.frequencies);
    return tf.concat([tf.cos(phase), tf.sin(phase)], 1).mul(Math.sqrt(1 / map.features));
  });
}

/** Length of the released vector: numClasses blocks of 2D features, then numClasses counts. */
export function embeddingLength(map: RffMap, numClasses: number): number {
  return numClasses * (2 * map.features + 1);
}

/**
 * The per-example vectors v_i = [φ(x_i) ⊗ onehot(y_i), onehot(y_i)] of `images` (`[n, ...]`) with
 * `labels`, as `[n, embeddingLength]` (used by the tests; the sum below never materialises them).
 */
export function perExampleVectors(
  images: tf.Tensor,
  labels: ArrayLike<number>,
  map: RffMap,
  numClasses: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const phi = rffFeatures(images, map);
    const onehot = tf.oneHot(Array.from(labels), numClasses).toFloat() as tf.Tensor2D;
    // Row i: class y_i's block holds φ(x_i), the others zero; then the one-hot count part.
    const blocks = tf.mul(onehot.expandDims(2), phi.expandDims(1)).reshape([phi.shape[0], -1]);
    return tf.concat([blocks, onehot], 1) as tf.Tensor2D;
  });
}

/**
 * The un-noised sum Σ v_i over every example of `data` (read by index in chunks), accumulated in
 * float64: class k's block of 2D entries is Σ_{y_i = k} φ(x_i), the last numClasses entries count
 * the classes. This reads the private data; only {@link releaseEmbedding}'s output may leave.
 */
export function embeddingSum(
  data: TrainingImages,
  map: RffMap,
  opts: { chunk?: number } = {},
): Float64Array {
  const numClasses = data.numClasses;
  if (numClasses < 1 || data.examples === undefined)
    throw new Error('a mean embedding needs a labelled data source that reads examples by index');
  const chunk = opts.chunk ?? 1000;
  const width = 2 * map.features;
  const sum = new Float64Array(embeddingLength(map, numClasses));
  for (let start = 0; start < data.size; start += chunk) {
    const count = Math.min(chunk, data.size - start);
    const indices = Int32Array.from({ length: count }, (_, i) => start + i);
    const { images, labels } = data.examples(indices);
    if (labels === null) throw new Error('a mean embedding needs class labels');
    const perClass = tf.tidy(() => {
      const phi = rffFeatures(images, map);
      const onehot = tf.oneHot(Array.from(labels), numClasses).toFloat() as tf.Tensor2D;
      return tf.matMul(onehot, phi, true, false); // [numClasses, 2D]
    });
    images.dispose();
    const values = perClass.dataSync();
    perClass.dispose();
    for (let i = 0; i < values.length; i++) sum[i] = (sum[i] as number) + (values[i] as number);
    const counts = numClasses * width;
    for (const y of labels) sum[counts + y] = (sum[counts + y] as number) + 1;
  }
  return sum;
}

/**
 * Standard normal draws from the OS CSPRNG (Box–Muller on 53-bit uniforms): secret noise, as DP
 * needs. Pass it to {@link releaseEmbedding}; tests pass {@link seededGaussian} instead.
 */
export function secureGaussian(): GaussianSource {
  const buf = new Uint32Array(4096);
  let pos = buf.length;
  return gaussianFromWords(() => {
    if (pos === buf.length) {
      randomFillSync(buf);
      pos = 0;
    }
    return buf[pos++] as number;
  });
}

/** Standard normal draws from a seeded counter PRNG: reproducible, hence NOT private (tests only). */
export function seededGaussian(seed: number): GaussianSource {
  const rng = new CounterRng(seed >>> 0);
  return boxMuller(() => (rng.nextUint32() + 0.5) / 2 ** 32);
}

/**
 * The released vector S̃ = sum + N(0, (σ·√2)²·I): the single Gaussian mechanism of DP-MERF.
 * @param sum the un-noised Σ v_i ({@link embeddingSum})
 * @param noiseMultiplier σ: noise std over the L2 sensitivity √2
 * @param gaussian the noise source; {@link secureGaussian} unless testing
 */
export function releaseEmbedding(
  sum: Float64Array,
  noiseMultiplier: number,
  gaussian: GaussianSource = secureGaussian(),
): Float64Array {
  if (!(noiseMultiplier > 0))
    throw new RangeError(`noise multiplier must be > 0, got ${noiseMultiplier}`);
  const std = noiseMultiplier * meanEmbeddingSensitivity;
  return Float64Array.from(sum, (v) => v + std * gaussian());
}

/** The per-class mean embeddings read from a release. */
export interface ClassEmbeddings {
  /** `[numClasses, 2D]`: class k's noisy feature sum over its noisy count (clamped at 1). */
  means: tf.Tensor2D;
  /** Noisy class counts, clamped at 1. */
  counts: Float64Array;
  /** counts / Σ counts: the noisy class proportions (post-processing, free to use). */
  proportions: Float64Array;
}

/** Splits a release into per-class mean embeddings (post-processing: no further privacy cost). */
export function classEmbeddings(
  released: Float64Array,
  features: number,
  numClasses: number,
): ClassEmbeddings {
  const width = 2 * features;
  if (released.length !== numClasses * (width + 1))
    throw new RangeError(
      `release of length ${released.length} does not fit ${numClasses} classes × ${width} features + counts`,
    );
  const counts = Float64Array.from({ length: numClasses }, (_, k) =>
    Math.max(1, released[numClasses * width + k] as number),
  );
  const means = new Float32Array(numClasses * width);
  for (let k = 0; k < numClasses; k++)
    for (let j = 0; j < width; j++)
      means[k * width + j] = (released[k * width + j] as number) / (counts[k] as number);
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    means: tf.tensor2d(means, [numClasses, width]),
    counts,
    proportions: counts.map((c) => c / total),
  };
}

/**
 * ε(δ) of the single release at noise multiplier σ: the RDP accountant with q = 1 and one step
 * (RDP α/(2σ²) at every order, converted by the improved bound).
 */
export function meanEmbeddingEpsilon(noiseMultiplier: number, delta: number): number {
  return dpSgdEpsilon({ sampleRate: 1, noiseMultiplier, steps: 1, delta }).epsilon;
}

/** The smallest σ whose single release stays within `targetEpsilon` at `delta`. */
export function meanEmbeddingNoise(targetEpsilon: number, delta: number): number {
  return noiseForEpsilon({ targetEpsilon, delta, sampleRate: 1, steps: 1 });
}

/**
 * DP-MERF's generator loss: Σ_k ‖mean_{i: y_i = k} φ(G_i) − e_k‖² over the classes present in the
 * batch, with `images` the generated batch, `labels` its one-hot classes `[n, K]` and `targets`
 * the released means `[K, 2D]`.
 */
export function meanEmbeddingLoss(
  images: tf.Tensor,
  labels: tf.Tensor2D,
  targets: tf.Tensor2D,
  map: RffMap,
): tf.Scalar {
  return tf.tidy(() => {
    const phi = rffFeatures(images, map);
    const counts = labels.sum(0); // [K]
    const present = counts.greater(0).toFloat();
    const means = tf.matMul(labels, phi, true, false).div(counts.maximum(1).expandDims(1));
    const diff = means.sub(targets).mul(present.expandDims(1));
    return diff.square().sum<tf.Scalar>();
  });
}
