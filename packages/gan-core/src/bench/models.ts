/**
 * The benchmark's GANs, layer for layer the architectures of bench/torch-reference.py
 * (28x28x1 images, z of size 100), so that timings compare like with like.
 * BatchNorm uses PyTorch's defaults (momentum 0.1 = Keras 0.9, epsilon 1e-5).
 */
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../models/seeded-dropout.js';
import { fastBatchNorm } from '../models/fast-batch-norm.js';
import { fastConv2d } from '../models/fast-conv2d.js';
import { fastDense } from '../models/fast-dense.js';

/** Benchmark architectures. */
export type BenchModel = 'mlp' | 'dcgan';

/** Latent size of both generators. */
export const LATENT_SIZE = 100;
/** Image shape (NHWC without the batch) both models produce and judge. */
export const IMAGE_SHAPE = [28, 28, 1] as const;

/** A generator/discriminator pair. */
export interface GanPair {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
}

const batchNorm = (): tf.layers.Layer => fastBatchNorm({ momentum: 0.9, epsilon: 1e-5 });
const leakyRelu = (): tf.layers.Layer => tf.layers.leakyReLU({ alpha: 0.2 });

/** MLP GAN: G z100 -> 256 -> 512 -> 784 tanh (BN + LReLU hidden); D 784 -> 512 -> 256 -> 1. */
export function mlpGan(): GanPair {
  const generator = tf.sequential({
    name: 'mlp_generator',
    layers: [
      fastDense({ inputShape: [LATENT_SIZE], units: 256 }),
      batchNorm(),
      leakyRelu(),
      fastDense({ units: 512 }),
      batchNorm(),
      leakyRelu(),
      fastDense({ units: 784, activation: 'tanh' }),
      tf.layers.reshape({ targetShape: [...IMAGE_SHAPE] }),
    ],
  });
  const discriminator = tf.sequential({
    name: 'mlp_discriminator',
    layers: [
      tf.layers.flatten({ inputShape: [...IMAGE_SHAPE] }),
      fastDense({ units: 512 }),
      leakyRelu(),
      fastDense({ units: 256 }),
      leakyRelu(),
      fastDense({ units: 1 }),
    ],
  });
  return { generator, discriminator };
}

/**
 * DCGAN of the TensorFlow tutorial (transposed convs in G, strided unfused convs + dropout in D).
 * `widthDivisor` divides every channel count (tests use a narrow copy; the benchmark uses 1).
 */
export function dcgan(widthDivisor = 1): GanPair {
  const w = (channels: number): number => Math.max(1, Math.round(channels / widthDivisor));
  const convT = (filters: number, strides: number): tf.layers.Layer =>
    tf.layers.conv2dTranspose({ filters, kernelSize: 5, strides, padding: 'same', useBias: false });
  const generator = tf.sequential({
    name: 'dcgan_generator',
    layers: [
      fastDense({ inputShape: [LATENT_SIZE], units: 7 * 7 * w(256), useBias: false }),
      batchNorm(),
      leakyRelu(),
      tf.layers.reshape({ targetShape: [7, 7, w(256)] }),
      convT(w(128), 1),
      batchNorm(),
      leakyRelu(),
      convT(w(64), 2),
      batchNorm(),
      leakyRelu(),
      tf.layers.conv2dTranspose({
        filters: 1,
        kernelSize: 5,
        strides: 2,
        padding: 'same',
        useBias: false,
        activation: 'tanh',
      }),
    ],
  });
  // D's convs have lazy gradients: a G update then computes no kernel gradients of D.
  const conv = (filters: number, first: boolean): tf.layers.Layer =>
    fastConv2d({
      filters,
      kernelSize: 5,
      strides: 2,
      padding: 'same',
      ...(first ? { inputShape: [...IMAGE_SHAPE] } : {}),
    });
  const discriminator = tf.sequential({
    name: 'dcgan_discriminator',
    layers: [
      conv(w(64), true),
      leakyRelu(),
      new SeededDropout({ rate: 0.3 }),
      conv(w(128), false),
      leakyRelu(),
      new SeededDropout({ rate: 0.3 }),
      tf.layers.flatten(),
      fastDense({ units: 1 }),
    ],
  });
  return { generator, discriminator };
}

/** Builds the named benchmark GAN. */
export function buildBenchGan(model: BenchModel): GanPair {
  return model === 'mlp' ? mlpGan() : dcgan();
}
