/**
 * DCGAN generator and discriminator trunks. 28x28 is exactly the TensorFlow DCGAN tutorial
 * (bench/torch-reference.py `dcgan`); 32x32 and 64x64 start from 4x4 and add one
 * stride-2 block per doubling.
 */
import * as tf from '@tensorflow/tfjs';

import { batchNorm, chain, downBlock, leakyRelu, upBlock } from './blocks.js';
import type { SeedSource } from './seeded-dropout.js';
import { checkImageShape, type ImageShape } from './shapes.js';
import { fastDense } from './fast-dense.js';

interface GeneratorPlan {
  base: number;
  baseFilters: number;
  /** [filters, stride] of each BN+LReLU block before the output layer (always stride 2). */
  blocks: readonly (readonly [number, number])[];
}

const generatorPlans: Record<28 | 32 | 64, GeneratorPlan> = {
  28: {
    base: 7,
    baseFilters: 256,
    blocks: [
      [128, 1],
      [64, 2],
    ],
  },
  32: {
    base: 4,
    baseFilters: 256,
    blocks: [
      [128, 2],
      [64, 2],
    ],
  },
  64: {
    base: 4,
    baseFilters: 256,
    blocks: [
      [128, 2],
      [64, 2],
      [32, 2],
    ],
  },
};

/** Filters of the discriminator's stride-2 convolutions per image size (also the VAE encoder's). */
export const discriminatorFilters: Record<28 | 32 | 64, readonly number[]> = {
  28: [64, 128],
  32: [64, 128, 256],
  64: [32, 64, 128, 256],
};

/**
 * A plan's channel count under a width multiplier (MobileNet's α): rounded, at least 1. A
 * network's multiply-adds grow with the square of the multiplier.
 */
export function widthScaled(filters: number, multiplier = 1): number {
  return Math.max(1, Math.round(filters * multiplier));
}

/** z (or z ++ one-hot label) -> image in [-1, 1]; `width` multiplies every block's channels. */
export function dcganGeneratorTrunk(
  input: tf.SymbolicTensor,
  shape: ImageShape,
  width = 1,
): tf.SymbolicTensor {
  const size = checkImageShape(shape);
  const plan = generatorPlans[size];
  const scaled = (filters: number): number => widthScaled(filters, width);
  const baseFilters = scaled(plan.baseFilters);
  let x = chain(
    input,
    fastDense({ units: plan.base * plan.base * baseFilters, useBias: false }),
    batchNorm(),
    leakyRelu(),
    tf.layers.reshape({ targetShape: [plan.base, plan.base, baseFilters] }),
  );
  for (const [filters, strides] of plan.blocks) x = upBlock(x, scaled(filters), strides);
  return chain(
    x,
    tf.layers.conv2dTranspose({
      filters: shape[2],
      kernelSize: 5,
      strides: 2,
      padding: 'same',
      useBias: false,
      activation: 'tanh',
    }),
  );
}

/** image -> flat features (before the final dense); `width` multiplies every block's channels. */
export function dcganDiscriminatorTrunk(
  input: tf.SymbolicTensor,
  shape: ImageShape,
  seeds: SeedSource,
  width = 1,
): tf.SymbolicTensor {
  const size = checkImageShape(shape);
  let x = input;
  for (const filters of discriminatorFilters[size])
    x = downBlock(x, widthScaled(filters, width), seeds);
  return chain(x, tf.layers.flatten());
}

export interface DcganOptions {
  shape: ImageShape;
  latentDim: number;
  seeds: SeedSource;
  /** Width multiplier of the generator's channels (default 1: the plans above). */
  generatorWidth?: number | undefined;
  /** Width multiplier of the discriminator's channels (default 1: {@link discriminatorFilters}). */
  discriminatorWidth?: number | undefined;
}

/** Unconditional DCGAN generator: input `[batch, latentDim]`, output `[batch, h, w, c]` in [-1, 1]. */
export function buildDcganGenerator({
  shape,
  latentDim,
  generatorWidth,
}: Omit<DcganOptions, 'seeds' | 'discriminatorWidth'>): tf.LayersModel {
  const z = tf.input({ shape: [latentDim], name: 'z' });
  return tf.model({
    inputs: z,
    outputs: dcganGeneratorTrunk(z, shape, generatorWidth),
    name: 'dcgan_generator',
  });
}

/** Unconditional DCGAN discriminator: input `[batch, h, w, c]`, output logits `[batch, 1]`. */
export function buildDcganDiscriminator({
  shape,
  seeds,
  discriminatorWidth,
}: Omit<DcganOptions, 'latentDim' | 'generatorWidth'>): tf.LayersModel {
  const image = tf.input({ shape: [...shape], name: 'image' });
  const logits = chain(
    dcganDiscriminatorTrunk(image, shape, seeds, discriminatorWidth),
    fastDense({ units: 1 }),
  );
  return tf.model({ inputs: image, outputs: logits, name: 'dcgan_discriminator' });
}
