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

/** Input `[batch, h, w, c]`, output logits `[batch, 1]`. */
export function buildMlpDiscriminator({ shape }: Pick<MlpOptions, 'shape'>): tf.LayersModel {
  checkImageShape(shape);
  const image = tf.input({ shape: [...shape], name: 'image' });
  const logits = chain(
    image,
    tf.layers.flatten(),
    fastDense({ units: 512 }),
    leakyRelu(),
    fastDense({ units: 256 }),
    leakyRelu(),
    fastDense({ units: 1 }),
  );
  return tf.model({ inputs: image, outputs: logits, name: 'mlp_discriminator' });
}
