/**
 * Dropout masks drawn by the addon (`GanmodDropoutMask`: splitmix64 from a seed, at memory speed
 * instead of TF.js's per-element JS generator). SeededDropout (models/seeded-dropout.ts) uses it.
 */
import { engine } from '@tensorflow/tfjs';
import type { KernelFunc, Tensor } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { hasKernel, heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';
import type { NativeKernel } from './kernel.js';

/** Custom kernel: a dropout multiplier (0 or 1 / keepProb per element) drawn from a seed. */
export const DROPOUT_MASK = 'GanmodDropoutMask';

function dropoutMaskKernel(native: NativeAddon): KernelFunc {
  return (args) => {
    const { shape, rate, seed } = args.attrs as { shape: number[]; rate: number; seed: number };
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(shape, 'float32');
    native.dropoutMask(heapFloats(backend, out), seed, 1 - rate);
    return out;
  };
}

/** The dropout mask kernel (no stock version to fall back to). */
export const dropoutKernels: NativeKernel[] = [
  { kernelName: DROPOUT_MASK, create: (native) => dropoutMaskKernel(native) },
];

/**
 * A dropout multiplier for `shape` from `seed` (elements 0 or 1 / (1 - rate)) where the native
 * kernel is registered, else `undefined` (callers use `tf.dropout`). Deterministic in the seed;
 * a different random stream from TF.js's, with the same distribution.
 */
export function nativeDropoutMask(shape: number[], rate: number, seed: number): Tensor | undefined {
  if (!hasKernel(DROPOUT_MASK)) return undefined;
  return engine().runKernel<Tensor>(DROPOUT_MASK, {}, { shape, rate, seed });
}
