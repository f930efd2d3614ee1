/** Layer settings shared by every architecture, chosen to match the PyTorch reference. */
import * as tf from '@tensorflow/tfjs';

import { FastBatchNorm } from './fast-batch-norm.js';
import { fastConv2d } from './fast-conv2d.js';
import { SeededDropout, type SeedSource } from './seeded-dropout.js';

/** LeakyReLU slope 0.2 (tf.layers defaults to 0.3; the reference and DCGAN use 0.2). */
export const leakyRelu = (): tf.layers.Layer => tf.layers.leakyReLU({ alpha: 0.2 });

/**
 * PyTorch's BatchNorm defaults (momentum 0.1 there = 0.9 in Keras terms, eps 1e-5). A
 * {@link FastBatchNorm}: one native kernel per training pass, serialized as the stock layer.
 */
export const batchNorm = (): tf.layers.Layer => new FastBatchNorm({ momentum: 0.9, epsilon: 1e-5 });

/** Applies layers in sequence to a symbolic tensor. */
export function chain(x: tf.SymbolicTensor, ...layers: tf.layers.Layer[]): tf.SymbolicTensor {
  return layers.reduce((acc, layer) => layer.apply(acc) as tf.SymbolicTensor, x);
}

/** Transposed conv -> BN -> LeakyReLU, the generator's upsampling block (no bias: BN follows). */
export function upBlock(x: tf.SymbolicTensor, filters: number, strides: number): tf.SymbolicTensor {
  return chain(
    x,
    tf.layers.conv2dTranspose({ filters, kernelSize: 5, strides, padding: 'same', useBias: false }),
    batchNorm(),
    leakyRelu(),
  );
}

/**
 * Stride-2 conv -> LeakyReLU -> dropout 0.3, the discriminator's downsampling block. The conv is a
 * `fastConv2d`, so that a G update does not compute D's kernel gradients.
 */
export function downBlock(
  x: tf.SymbolicTensor,
  filters: number,
  seeds: SeedSource,
): tf.SymbolicTensor {
  return chain(
    x,
    fastConv2d({ filters, kernelSize: 5, strides: 2, padding: 'same' }),
    leakyRelu(),
    new SeededDropout({ rate: 0.3, seeds }),
  );
}
