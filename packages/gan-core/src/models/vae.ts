/**
 * Convolutional VAE and conditional VAE (Kingma & Welling 2014; Sohn et al. 2015).
 *
 * The decoder is the DCGAN generator trunk, layer for layer: z (or z ++ one-hot label) -> image in
 * [-1, 1]. So a VAE run fills the same slots as a GAN run (the decoder is the "generator": EMA,
 * sample grids, export and the playground treat it as one) and a GAN-vs-VAE comparison differs in
 * the objective, not in the network that draws the images.
 *
 * The encoder mirrors the DCGAN discriminator's stride-2 convolutions (without its dropout, which
 * would only add noise to q(z|x)) and ends in one dense layer giving `[mu, logVar]`, each
 * `latentDim` wide. The conditional encoder sees the one-hot label next to the image features.
 */
import * as tf from '@tensorflow/tfjs';

import { chain, leakyRelu } from './blocks.js';
import { buildCdcganGenerator } from './cdcgan.js';
import { buildDcganGenerator, discriminatorFilters, widthScaled } from './dcgan.js';
import { fastConv2d } from './fast-conv2d.js';
import { fastDense } from './fast-dense.js';
import { checkImageShape, checkLatentAndClasses, type ImageShape } from './shapes.js';

export interface VaeOptions {
  shape: ImageShape;
  latentDim: number;
  /** Classes of a conditional VAE (>= 2); 0 or absent for the unconditional one. */
  numClasses?: number;
  /** Decoder only: width multiplier of its channels (the DCGAN generator's `generatorWidth`). */
  generatorWidth?: number | undefined;
  /** Encoder only: width multiplier of its channels (the DCGAN discriminator's). */
  discriminatorWidth?: number | undefined;
}

/**
 * Encoder q(z|x[, y]): inputs `image` (or `[image, label one-hot]`), output `[batch, 2 * latentDim]`
 * holding mu in the first `latentDim` columns and log-variance in the rest.
 */
export function buildVaeEncoder({
  shape,
  latentDim,
  numClasses = 0,
  discriminatorWidth,
}: VaeOptions): tf.LayersModel {
  checkLatentAndClasses(latentDim, numClasses > 0 ? numClasses : undefined);
  const size = checkImageShape(shape);
  const image = tf.input({ shape: [...shape], name: 'image' });
  let x = image;
  for (const filters of discriminatorFilters[size])
    x = chain(
      x,
      fastConv2d({
        filters: widthScaled(filters, discriminatorWidth),
        kernelSize: 5,
        strides: 2,
        padding: 'same',
      }),
      leakyRelu(),
    );
  let features = chain(x, tf.layers.flatten());
  const inputs = [image];
  if (numClasses > 0) {
    const label = tf.input({ shape: [numClasses], name: 'label' });
    inputs.push(label);
    features = tf.layers.concatenate().apply([features, label]) as tf.SymbolicTensor;
  }
  const stats = chain(features, fastDense({ units: 2 * latentDim }));
  return tf.model({
    inputs: inputs.length === 1 ? image : inputs,
    outputs: stats,
    name: numClasses > 0 ? 'cvae_encoder' : 'vae_encoder',
  });
}

/**
 * Decoder p(x|z[, y]): the DCGAN generator itself (the cDCGAN's for a conditional VAE). Inputs `z`
 * (or `[z, label one-hot]`), output `[batch, h, w, c]` in [-1, 1] (tanh): the Gaussian's mean.
 */
export function buildVaeDecoder({
  shape,
  latentDim,
  numClasses = 0,
  generatorWidth,
}: VaeOptions): tf.LayersModel {
  return numClasses === 0
    ? buildDcganGenerator({ shape, latentDim, generatorWidth })
    : buildCdcganGenerator({ shape, latentDim, numClasses, generatorWidth });
}
