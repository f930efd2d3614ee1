/**
 * The seed document's MLP GAN, corrected: exactly bench/torch-reference.py `mlp` for 28x28x1
 * (G z -> 256 -> 512 -> 784 tanh with BN + LeakyReLU 0.2; D 784 -> 512 -> 256 -> 1 logits).
 * The seed built D from BN+sigmoid layers with G's output shape as D's input; here D ends in a logit
 * (the losses take logits) and its input is the image shape.
 */
import * as tf from '@tensorflow/tfjs';

import { batchNorm, chain, leakyRelu } from './blocks.js';
import { checkImageShape, checkLatentAndClasses, type ImageShape } from './shapes.js';
import { fastDense } from './fast-dense.js';

export interface MlpOptions {
  shape: ImageShape;
  latentDim: number;
  /** > 0: a class-conditional generator, inputs `[z, label one-hot]` concatenated (DP-MERF's). */
  numClasses?: number;
}

/**
 * Input `[batch, latentDim]` (or `[z, label one-hot]` when `numClasses` > 0), output
 * `[batch, h, w, c]` in [-1, 1].
 */
export function buildMlpGenerator({
  shape,
  latentDim,
  numClasses = 0,
}: MlpOptions): tf.LayersModel {
  checkImageShape(shape);
  checkLatentAndClasses(latentDim, numClasses > 0 ? numClasses : undefined);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  const label = numClasses > 0 ? tf.input({ shape: [numClasses], name: 'label' }) : null;
  const joined =
    label === null ? z : (tf.layers.concatenate().apply([z, label]) as tf.SymbolicTensor);
  const image = chain(
    joined,
    fastDense({ units: 256 }),
    batchNorm(),
    leakyRelu(),
    fastDense({ units: 512 }),
    batchNorm(),
    leakyRelu(),
    fastDense({ units: shape[0] * shape[1] * shape[2], activation: 'tanh' }),
    tf.layers.reshape({ targetShape: [...shape] }),
  );
  return label === null
    ? tf.model({ inputs: z, outputs: image, name: 'mlp_generator' })
    : tf.model({ inputs: [z, label], outputs: image, name: 'cmlp_generator' });
}

/**
 * Input `[batch, h, w, c]` (or `[image, label one-hot]` when `numClasses` > 0: a projection
 * discriminator, as cdcgan's), output logits `[batch, 1]`.
 */
export function buildMlpDiscriminator({
  shape,
  numClasses = 0,
}: Pick<MlpOptions, 'shape' | 'numClasses'>): tf.LayersModel {
  checkImageShape(shape);
  const image = tf.input({ shape: [...shape], name: 'image' });
  const features = chain(
    image,
    tf.layers.flatten(),
    fastDense({ units: 512 }),
    leakyRelu(),
    fastDense({ units: 256 }),
    leakyRelu(),
  );
  const unconditional = chain(features, fastDense({ units: 1 }));
  if (numClasses === 0)
    return tf.model({ inputs: image, outputs: unconditional, name: 'mlp_discriminator' });
  checkLatentAndClasses(1, numClasses);
  const label = tf.input({ shape: [numClasses], name: 'label' });
  const embedded = chain(label, fastDense({ units: 256, useBias: false }));
  const projection = tf.layers.dot({ axes: 1 }).apply([features, embedded]) as tf.SymbolicTensor;
  const logits = tf.layers.add().apply([unconditional, projection]) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, label], outputs: logits, name: 'cmlp_discriminator' });
}
