/**
 * Class-conditional DCGAN with a projection discriminator (Miyato & Koyama, 2018).
 *
 * Why projection rather than an auxiliary classifier (AC-GAN): the class enters D's single logit as
 * an inner product <embed(y), phi(x)>, so every adversarial loss here (bce, hinge, wgan-gp) and the
 * penalties apply unchanged, with no second classification loss to weigh; AC-GAN's classifier term
 * is known to push G towards easily classified, less diverse samples.
 *
 * Labels are one-hot vectors (`[batch, numClasses]`): a bias-free dense layer on a one-hot vector is
 * an embedding, and it avoids the gather/scatter kernels that are slow or missing on some backends.
 */
import * as tf from '@tensorflow/tfjs';

import { chain } from './blocks.js';
import { dcganDiscriminatorTrunk, dcganGeneratorTrunk, type DcganOptions } from './dcgan.js';
import { checkLatentAndClasses } from './shapes.js';
import { fastDense } from './fast-dense.js';

export interface CdcganOptions extends DcganOptions {
  numClasses: number;
}

/** Inputs `[z [batch, latentDim], label one-hot [batch, numClasses]]`; z and the label are concatenated. */
export function buildCdcganGenerator({
  shape,
  latentDim,
  numClasses,
  generatorWidth,
}: Omit<CdcganOptions, 'seeds' | 'discriminatorWidth'>): tf.LayersModel {
  checkLatentAndClasses(latentDim, numClasses);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  const label = tf.input({ shape: [numClasses], name: 'label' });
  const joined = tf.layers.concatenate().apply([z, label]) as tf.SymbolicTensor;
  return tf.model({
    inputs: [z, label],
    outputs: dcganGeneratorTrunk(joined, shape, generatorWidth),
    name: 'cdcgan_generator',
  });
}

/** Inputs `[image, label one-hot]`, output logits `[batch, 1]` = psi(phi(x)) + <embed(y), phi(x)>. */
export function buildCdcganDiscriminator({
  shape,
  numClasses,
  seeds,
  discriminatorWidth,
}: Omit<CdcganOptions, 'latentDim' | 'generatorWidth'>): tf.LayersModel {
  checkLatentAndClasses(1, numClasses);
  const image = tf.input({ shape: [...shape], name: 'image' });
  const label = tf.input({ shape: [numClasses], name: 'label' });
  const features = dcganDiscriminatorTrunk(image, shape, seeds, discriminatorWidth);
  const featureSize = features.shape[1];
  if (featureSize == null) throw new Error('discriminator features have an unknown size');
  const unconditional = chain(features, fastDense({ units: 1 }));
  const embedded = chain(label, fastDense({ units: featureSize, useBias: false }));
  const projection = tf.layers.dot({ axes: 1 }).apply([features, embedded]) as tf.SymbolicTensor;
  const logits = tf.layers.add().apply([unconditional, projection]) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, label], outputs: logits, name: 'cdcgan_discriminator' });
}
