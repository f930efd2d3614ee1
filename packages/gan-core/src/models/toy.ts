/**
 * The toy GAN for 2-D point datasets (the 8-Gaussian ring and the 5x5 grid of @ganmod/datasets),
 * in the shape the mode-collapse literature uses (Unrolled GAN, VEEGAN, PacGAN): fully connected
 * nets of a few 128-unit layers, G with ReLU and a linear output (points keep their native
 * coordinates, radius 2 for the ring, so no tanh), D with LeakyReLU 0.2 and a logit.
 * No BatchNorm: batch statistics couple the points of a batch, which masks or causes collapse.
 */
import * as tf from '@tensorflow/tfjs';

import { chain, leakyRelu } from './blocks.js';
import { checkLatentAndClasses, checkPointShape, type DataShape } from './shapes.js';
import { fastDense } from './fast-dense.js';

/** Hidden units of every toy layer. */
export const toyHiddenUnits = 128;
/** Hidden layers of the toy generator and of the toy discriminator. */
export const toyHiddenLayers = 3;

export interface ToyMlpOptions {
  /** The point shape, `[2]`. */
  shape: DataShape;
  latentDim: number;
}

/** Input `z [batch, latentDim]`, output points `[batch, 2]` (linear, unbounded). */
export function buildToyGenerator({ shape, latentDim }: ToyMlpOptions): tf.LayersModel {
  const [dims] = checkPointShape(shape);
  checkLatentAndClasses(latentDim);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  const hidden = Array.from({ length: toyHiddenLayers }, () =>
    fastDense({ units: toyHiddenUnits, activation: 'relu' }),
  );
  const points = chain(z, ...hidden, fastDense({ units: dims }));
  return tf.model({ inputs: z, outputs: points, name: 'toy_generator' });
}

/** Input points `[batch, 2]`, output logits `[batch, 1]`. */
export function buildToyDiscriminator({ shape }: Pick<ToyMlpOptions, 'shape'>): tf.LayersModel {
  const [dims] = checkPointShape(shape);
  const point = tf.input({ shape: [dims], name: 'point' });
  const hidden = Array.from({ length: toyHiddenLayers }, () => [
    fastDense({ units: toyHiddenUnits }),
    leakyRelu(),
  ]).flat();
  const logits = chain(point, ...hidden, fastDense({ units: 1 }));
  return tf.model({ inputs: point, outputs: logits, name: 'toy_discriminator' });
}
