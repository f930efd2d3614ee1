/**
 * Adam as one kernel (`GanmodAdam`): a variable's value, first and second moments updated in one
 * pass by the addon, in the same float32 operation order as TF.js's AdamOptimizer (results match
 * it bit for bit). train/adam.ts uses it where it is registered.
 *
 * Why: TF.js's Adam is ~12 kernels per variable, each with TF.js's fixed per-kernel cost.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';
import type { NativeKernel } from './kernel.js';

/** Custom kernel: one Adam update; outputs [value, m, v]. */
export const FUSED_ADAM = 'GanmodAdam';

/** Attributes of {@link FUSED_ADAM}. */
export interface FusedAdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t (Adam's bias corrections). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}

function fusedAdamKernel(native: NativeAddon): KernelFunc {
  return (args) => {
    const { x, g, m, v } = args.inputs as Record<'x' | 'g' | 'm' | 'v', TensorInfo>;
    const a = args.attrs as unknown as FusedAdamAttrs;
    const backend = args.backend as BackendWasm;
    const outs = [x, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
    const constants = new Float32Array([
      a.learningRate,
      a.beta1,
      a.beta2,
      a.epsilon,
      1 - a.beta1,
      1 - a.beta2,
      a.oneMinusAccBeta1,
      a.oneMinusAccBeta2,
    ]);
    native.adam(
      heapFloats(backend, x),
      heapFloats(backend, g),
      heapFloats(backend, m),
      heapFloats(backend, v),
      ...(outs.map((o) => heapFloats(backend, o)) as [Float32Array, Float32Array, Float32Array]),
      constants,
    );
    return outs;
  };
}

/** The Adam kernel (no stock version to fall back to). */
export const adamKernels: NativeKernel[] = [
  { kernelName: FUSED_ADAM, create: (native) => fusedAdamKernel(native) },
];
