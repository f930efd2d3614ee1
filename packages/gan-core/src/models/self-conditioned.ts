/**
 * The self-conditioned DCGAN (Liu et al. 2020, "Diverse Image Generation via Self-Conditioned
 * GANs"): G and D are conditioned on k clusters of the training images, found without labels
 * (train/clusters.ts), and D is the cDCGAN's projection discriminator.
 *
 * Why: one Gaussian pushed through a continuous G must put mass between the digit manifolds, and
 * those in-between samples are the blends the classifier is unsure of (docs/results.md, "Session
 * 14"). A discrete code lets G jump between modes instead.
 *
 * G keeps the unconditional signature `z -> image`, so sampling, export, the playground and the
 * metrics treat it as any unconditional generator: its cluster is read off z's first coordinate.
 * The real line is cut at the normal quantiles of the clusters' cumulative shares, so z[0] ~ N(0, 1)
 * falls in cluster c as often as the data does. A frozen dense layer and a ReLU capped at 1 (stock
 * layers, so the browser loads the export unchanged) turn z[0] into the thermometer code
 * `[z0 > t_1, ..., z0 > t_{k-1}]`, concatenated with z.
 */
import * as tf from '@tensorflow/tfjs';

import { normalQuantile } from '../sampling/latent.js';
import { dcganGeneratorTrunk, type DcganOptions } from './dcgan.js';
import { ModelShapeError } from './shapes.js';

/** Name of the frozen layer that holds the cluster thresholds. */
export const clusterCodeLayer = 'cluster_code';
/** Slope of the code's ramp: z[0] within 1e-6 of a threshold is the only place the code is not 0/1. */
const sharpness = 1e6;

/** The k - 1 cut points on z[0] that give clusters the probabilities `shares` (normalised). */
export function clusterThresholds(shares: readonly number[]): Float64Array {
  if (shares.length < 2 || shares.some((s) => !(s > 0)))
    throw new ModelShapeError(
      `self-conditioning needs at least 2 clusters of positive share, got [${shares.join(', ')}]`,
    );
  const total = shares.reduce((a, b) => a + b, 0);
  const thresholds = new Float64Array(shares.length - 1);
  let cumulative = 0;
  for (let c = 0; c < thresholds.length; c++) {
    cumulative += shares[c] as number;
    thresholds[c] = normalQuantile(cumulative / total);
  }
  return thresholds;
}

export interface SelfConditionedOptions extends Omit<DcganOptions, 'seeds' | 'discriminatorWidth'> {
  /** Number of clusters. */
  numClasses: number;
  /** Share of the data in each cluster (any positive scale); default: equal shares. */
  clusterShares?: readonly number[];
}

/** Input z `[batch, latentDim]`, output images; the cluster comes from z[0] (see the module doc). */
export function buildSelfConditionedGenerator({
  shape,
  latentDim,
  numClasses,
  generatorWidth,
  clusterShares,
}: SelfConditionedOptions): tf.LayersModel {
  const thresholds = clusterThresholds(clusterShares ?? Array<number>(numClasses).fill(1));
  if (thresholds.length !== numClasses - 1)
    throw new ModelShapeError(
      `clusterShares has ${thresholds.length + 1} entries for ${numClasses} clusters`,
    );
  const z = tf.input({ shape: [latentDim], name: 'z' });
  const cut = tf.layers.dense({
    units: numClasses - 1,
    trainable: false,
    name: clusterCodeLayer,
  });
  const code = tf.layers.reLU({ maxValue: 1 }).apply(cut.apply(z)) as tf.SymbolicTensor;
  const kernel = new Float32Array(latentDim * (numClasses - 1));
  kernel.fill(sharpness, 0, numClasses - 1); // row 0: z[0] only
  tf.tidy(() =>
    cut.setWeights([
      tf.tensor2d(kernel, [latentDim, numClasses - 1]),
      tf.tensor1d(Array.from(thresholds, (t) => -sharpness * t)),
    ]),
  );
  const joined = tf.layers.concatenate().apply([z, code]) as tf.SymbolicTensor;
  return tf.model({
    inputs: z,
    outputs: dcganGeneratorTrunk(joined, shape, generatorWidth),
    name: 'sc_dcgan_generator',
  });
}

/** The cluster thresholds a self-conditioned generator holds, or null for any other generator. */
export function selfConditioningThresholds(generator: tf.LayersModel): Float32Array | null {
  const layer = generator.layers.find((l) => l.name === clusterCodeLayer);
  if (layer === undefined) return null;
  const bias = layer.getWeights()[1];
  if (bias === undefined) return null;
  return Float32Array.from(bias.dataSync(), (b) => -b / sharpness);
}

/**
 * One-hot `[batch, k]` clusters of latents `z` under `thresholds` (`[1, k - 1]`): the labels D
 * sees with G's samples, the same cut G makes inside.
 */
export function clusterOfLatents(z: tf.Tensor2D, thresholds: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const index = z
      .slice([0, 0], [-1, 1])
      .greater(thresholds)
      .cast('int32')
      .sum<tf.Tensor1D>(1)
      .cast<tf.Tensor1D>('int32');
    return tf.oneHot(index, thresholds.shape[1] + 1).cast<tf.Tensor2D>('float32');
  });
}
