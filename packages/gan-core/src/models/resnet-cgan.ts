/**
 * `resnet-cgan`: the class-conditional ResNet GAN that StudioGAN-class tools train at 32-64 px
 * (SNGAN, Miyato et al. 2018; Miyato & Koyama 2018), narrowed to train on a 2-core CPU.
 *
 * - G: z -> dense 4x4 -> residual up-blocks (conditional batch norm -> ReLU -> nearest 2x
 *   upsampling -> 3x3 conv -> conditional batch norm -> ReLU -> 3x3 conv, plus a 1x1 shortcut)
 *   -> BN -> ReLU -> 3x3 conv -> tanh. Conditional batch norm is BN without its own affine
 *   parameters, scaled and shifted per class (gain and bias looked up from the one-hot label).
 * - D: residual down-blocks (ReLU -> 3x3 conv -> ReLU -> 3x3 conv -> 2x2 average pool, plus a
 *   pooled 1x1 shortcut) -> ReLU -> global sum pooling -> dense logit + projection
 *   <embed(y), phi(x)>. Every conv and dense layer of D is spectrally normalised.
 *
 * G is built from stock tfjs layers only (the fast layers serialize as the stock ones), so its
 * export loads in a browser with plain `tf.loadLayersModel`, like the other generators.
 */
import * as tf from '@tensorflow/tfjs';

import { chain } from './blocks.js';
import { FastBatchNorm } from './fast-batch-norm.js';
import { fastConv2d } from './fast-conv2d.js';
import { fastDense } from './fast-dense.js';
import { AvgPool2x2, GlobalSumPooling } from './pooling.js';
import { checkImageShape, checkLatentAndClasses, ModelShapeError } from './shapes.js';
import type { ImageShape } from './shapes.js';
import { snConv2d, snDense } from './spectral-norm.js';

/** Sizes the ResNet builds for: 4x4 doubled by each up-block. */
const resnetSizes = [32, 64] as const;

/**
 * Channels per resolution: halved at each doubling from 8w at 4x4 and 8x8, w = 16 (SNGAN uses
 * w = 64 at 64 px; a quarter of its width is what trains in minutes on two cores).
 */
const WIDTH = 16;
const channelsAt = (resolution: number): number => Math.min(8 * WIDTH, (WIDTH * 64) / resolution);
/** D is half as wide at each resolution (it reaches 8w at 4x4): its R1 pass costs it a second backward. */
const discriminatorChannelsAt = (resolution: number): number => channelsAt(2 * resolution);

/** BN as PyTorch's defaults (momentum 0.1 there = 0.9 here, eps 1e-5); affine or not. */
const bn = (affine: boolean): tf.layers.Layer =>
  new FastBatchNorm({ momentum: 0.9, epsilon: 1e-5, center: affine, scale: affine });
const relu = (): tf.layers.Layer => tf.layers.reLU();
const conv = (filters: number, kernelSize: 1 | 3): tf.layers.Layer =>
  fastConv2d({ filters, kernelSize, padding: 'same' });

function checkResnetShape(shape: ImageShape): 32 | 64 {
  const size = checkImageShape(shape);
  if (size !== 32 && size !== 64) {
    throw new ModelShapeError(
      `model resnet-cgan builds ${resnetSizes.join(' or ')} px images, not ${size}x${size} (resize the dataset with dataset.size)`,
    );
  }
  return size;
}

/** A per-class `[1, 1, channels]` vector from the one-hot label: one row of a dense layer. */
function perClass(label: tf.SymbolicTensor, channels: number, initial: 0 | 1): tf.SymbolicTensor {
  return chain(
    label,
    fastDense({
      units: channels,
      kernelInitializer: 'zeros',
      useBias: initial === 1,
      ...(initial === 1 ? { biasInitializer: 'ones' } : {}),
    }),
    tf.layers.reshape({ targetShape: [1, 1, channels] }),
  );
}

/** Conditional batch norm: BN(x) * gain(y) + bias(y), gain starting at 1 and bias at 0. */
function conditionalBatchNorm(
  x: tf.SymbolicTensor,
  label: tf.SymbolicTensor,
  channels: number,
): tf.SymbolicTensor {
  const scaled = tf.layers
    .multiply()
    .apply([chain(x, bn(false)), perClass(label, channels, 1)]) as tf.SymbolicTensor;
  return tf.layers.add().apply([scaled, perClass(label, channels, 0)]) as tf.SymbolicTensor;
}

/** G's residual block: doubles the resolution. The 1x1 shortcut runs before the upsampling (it commutes). */
function generatorBlock(
  x: tf.SymbolicTensor,
  label: tf.SymbolicTensor,
  inChannels: number,
  outChannels: number,
): tf.SymbolicTensor {
  const up = (): tf.layers.Layer => tf.layers.upSampling2d({ size: [2, 2] });
  let h = chain(conditionalBatchNorm(x, label, inChannels), relu(), up(), conv(outChannels, 3));
  h = chain(conditionalBatchNorm(h, label, outChannels), relu(), conv(outChannels, 3));
  const shortcut = chain(x, conv(outChannels, 1), up());
  return tf.layers.add().apply([h, shortcut]) as tf.SymbolicTensor;
}

/** D's residual block: halves the resolution. The first one starts with a conv (its input is the image, not features). */
function discriminatorBlock(
  x: tf.SymbolicTensor,
  outChannels: number,
  first: boolean,
): tf.SymbolicTensor {
  const snConv = (kernelSize: 1 | 3): tf.layers.Layer =>
    snConv2d({ filters: outChannels, kernelSize, padding: 'same' });
  const h = chain(first ? x : chain(x, relu()), snConv(3), relu(), snConv(3), new AvgPool2x2({}));
  // Pooling before the 1x1 conv: the same map (both linear), on a quarter of the pixels.
  const shortcut = chain(x, new AvgPool2x2({}), snConv(1));
  return tf.layers.add().apply([h, shortcut]) as tf.SymbolicTensor;
}

export interface ResnetCganOptions {
  shape: ImageShape;
  latentDim: number;
  numClasses: number;
}

/** Inputs `[z [batch, latentDim], label one-hot [batch, numClasses]]`, output `[batch, h, w, c]` in [-1, 1]. */
export function buildResnetCganGenerator({
  shape,
  latentDim,
  numClasses,
}: ResnetCganOptions): tf.LayersModel {
  checkLatentAndClasses(latentDim, numClasses);
  const size = checkResnetShape(shape);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  const label = tf.input({ shape: [numClasses], name: 'label' });
  let channels = channelsAt(4);
  let x = chain(
    z,
    fastDense({ units: 4 * 4 * channels }),
    tf.layers.reshape({ targetShape: [4, 4, channels] }),
  );
  for (let resolution = 8; resolution <= size; resolution *= 2) {
    x = generatorBlock(x, label, channels, channelsAt(resolution));
    channels = channelsAt(resolution);
  }
  const image = chain(
    x,
    bn(true),
    relu(),
    fastConv2d({ filters: shape[2], kernelSize: 3, padding: 'same', activation: 'tanh' }),
  );
  return tf.model({ inputs: [z, label], outputs: image, name: 'resnet_cgan_generator' });
}

/** Inputs `[image, label one-hot]`, output logits `[batch, 1]` = psi(phi(x)) + <embed(y), phi(x)>. */
export function buildResnetCganDiscriminator({
  shape,
  numClasses,
}: Omit<ResnetCganOptions, 'latentDim'>): tf.LayersModel {
  checkLatentAndClasses(1, numClasses);
  const size = checkResnetShape(shape);
  const image = tf.input({ shape: [...shape], name: 'image' });
  const label = tf.input({ shape: [numClasses], name: 'label' });
  let x = image;
  for (let resolution = size / 2; resolution >= 4; resolution /= 2) {
    x = discriminatorBlock(x, discriminatorChannelsAt(resolution), resolution === size / 2);
  }
  const features = chain(x, relu(), new GlobalSumPooling({}));
  const featureSize = discriminatorChannelsAt(4);
  const unconditional = chain(features, snDense({ units: 1 }));
  const embedded = chain(label, snDense({ units: featureSize, useBias: false }));
  const projection = tf.layers.dot({ axes: 1 }).apply([features, embedded]) as tf.SymbolicTensor;
  const logits = tf.layers.add().apply([unconditional, projection]) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, label], outputs: logits, name: 'resnet_cgan_discriminator' });
}
