/**
 * Elementwise and reduction kernels served by the native addon on the wasm backend: Tanh,
 * LeakyRelu and its gradient, FusedBatchNorm, Sum/Mean over leading axes, and one-pass Adam.
 *
 * Why: stock wasm runs LeakyRelu without SIMD, and its gradient as three full passes (Greater,
 * Multiply, Select); TF.js's Adam is ~12 kernels per variable. One native pass each cuts the
 * elementwise share of a GAN step (most of what is left of an MLP GAN's).
 */
import {
  engine,
  FusedBatchNorm,
  getGradient,
  getKernel,
  LeakyRelu,
  Mean,
  registerGradient,
  Sum,
  Tanh,
  util,
  zerosLike,
} from '@tensorflow/tfjs';
import type {
  GradConfig,
  KernelConfig,
  KernelFunc,
  LeakyReluAttrs,
  NamedAttrMap,
  Tensor,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, WASM } from './kernel_utils.js';
import type { NativeAddon } from './native.js';
import { reduceLeadingKernel, type SumRows } from './reduce_leading.js';

/** Custom kernel: `dx = x > 0 ? dy : alpha * dy` (LeakyRelu's gradient in one pass). */
export const LEAKY_RELU_GRAD = 'GanmodLeakyReluGrad';
/** Custom kernel: one Adam update; outputs [value, m, v]. */
export const FUSED_ADAM = 'GanmodAdam';

/** Custom kernel: a dropout multiplier (0 or 1 / keepProb per element) drawn from a seed. */
export const DROPOUT_MASK = 'GanmodDropoutMask';

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

/** A float32 unary kernel computed by the addon into a fresh output; other dtypes fall back. */
function unaryKernel(
  fallback: KernelFunc,
  compute: (x: Float32Array, out: Float32Array, attrs: NamedAttrMap) => void,
): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return fallback(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(x.shape, 'float32');
    compute(heapFloats(backend, x), heapFloats(backend, out), args.attrs ?? {});
    return out;
  };
}

function batchNormKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<
      'x' | 'mean' | 'variance',
      TensorInfo
    > &
      Partial<Record<'offset' | 'scale', TensorInfo>>;
    const channels = x.shape[x.shape.length - 1] ?? 0;
    // Per-channel statistics over the last axis only; anything else goes to the stock kernel.
    const perChannel = (t: TensorInfo | undefined): boolean =>
      t === undefined ||
      (t.dtype === 'float32' && [channels, 1].includes(util.sizeFromShape(t.shape)));
    if (
      x.dtype !== 'float32' ||
      channels === 0 ||
      ![mean, variance, offset, scale].every(perChannel)
    ) {
      return fallback(args);
    }
    const { varianceEpsilon } = args.attrs as { varianceEpsilon: number };
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(x.shape, 'float32');
    native.batchNorm(
      heapFloats(backend, x),
      heapFloats(backend, mean),
      heapFloats(backend, variance),
      offset === undefined ? null : heapFloats(backend, offset),
      scale === undefined ? null : heapFloats(backend, scale),
      heapFloats(backend, out),
      varianceEpsilon,
    );
    return out;
  };
}

function leakyReluGradKernel(native: NativeAddon): KernelFunc {
  return (args) => {
    const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
    const { alpha } = args.attrs as { alpha: number };
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(x.shape, 'float32');
    native.leakyReluGrad(
      heapFloats(backend, dy),
      heapFloats(backend, x),
      heapFloats(backend, out),
      alpha,
    );
    return out;
  };
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

function dropoutMaskKernel(native: NativeAddon): KernelFunc {
  return (args) => {
    const { shape, rate, seed } = args.attrs as { shape: number[]; rate: number; seed: number };
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(shape, 'float32');
    native.dropoutMask(heapFloats(backend, out), seed, 1 - rate);
    return out;
  };
}

/**
 * A dropout multiplier for `shape` from `seed` (elements 0 or 1 / (1 - rate)) where the native
 * kernel is registered, else `undefined` (callers use `tf.dropout`). Deterministic in the seed;
 * a different random stream from TF.js's, with the same distribution.
 */
export function nativeDropoutMask(shape: number[], rate: number, seed: number): Tensor | undefined {
  if (!hasKernel(DROPOUT_MASK)) return undefined;
  return engine().runKernel<Tensor>(DROPOUT_MASK, {}, { shape, rate, seed });
}

/**
 * Registry entries for the native elementwise kernels; `fallback(name)` gives the kernel
 * registered before (used for what the addon does not cover).
 */
export function nativeElementwiseConfigs(
  native: NativeAddon,
  fallback: (kernelName: string) => KernelFunc,
): KernelConfig[] {
  const sumRows: SumRows = (input, output, rows, scale) =>
    native.sumRows(input, output, rows, scale);
  return [
    {
      kernelName: LeakyRelu,
      backendName: WASM,
      kernelFunc: unaryKernel(fallback(LeakyRelu), (x, y, attrs) =>
        native.leakyRelu(x, y, (attrs as unknown as LeakyReluAttrs).alpha),
      ),
    },
    { kernelName: LEAKY_RELU_GRAD, backendName: WASM, kernelFunc: leakyReluGradKernel(native) },
    {
      kernelName: Tanh,
      backendName: WASM,
      kernelFunc: unaryKernel(fallback(Tanh), (x, y) => native.tanh(x, y)),
    },
    {
      kernelName: FusedBatchNorm,
      backendName: WASM,
      kernelFunc: batchNormKernel(native, fallback(FusedBatchNorm)),
    },
    {
      kernelName: Sum,
      backendName: WASM,
      kernelFunc: reduceLeadingKernel(fallback(Sum), false, sumRows),
    },
    {
      kernelName: Mean,
      backendName: WASM,
      kernelFunc: reduceLeadingKernel(fallback(Mean), true, sumRows),
    },
    { kernelName: FUSED_ADAM, backendName: WASM, kernelFunc: fusedAdamKernel(native) },
    { kernelName: DROPOUT_MASK, backendName: WASM, kernelFunc: dropoutMaskKernel(native) },
  ];
}

/** True when the active backend has the kernel `name` (the custom ones exist on wasm only). */
export function hasKernel(name: string): boolean {
  return engine().backendName === WASM && getKernel(name, WASM) !== undefined;
}

let stockLeakyReluGrad: GradConfig | undefined;

/**
 * Routes LeakyRelu's gradient through {@link LEAKY_RELU_GRAD} where it is registered (wasm with
 * the addon); elsewhere TF.js's own formula runs. The custom kernel has its own gradient (itself,
 * with respect to dy) so second-order penalties (R1, WGAN-GP) still differentiate through it.
 */
export function installLeakyReluGradient(): void {
  if (stockLeakyReluGrad !== undefined) return;
  stockLeakyReluGrad = getGradient(LeakyRelu);
  const stock = stockLeakyReluGrad;
  if (stock === undefined) return;
  registerGradient({
    kernelName: LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (!hasKernel(LEAKY_RELU_GRAD)) return stock.gradFunc(dy, saved, attrs);
      const [x] = saved as [Tensor];
      const alpha = (attrs as unknown as LeakyReluAttrs).alpha;
      return {
        x: () => engine().runKernel<Tensor>(LEAKY_RELU_GRAD, { dy: dy as Tensor, x }, { alpha }),
      };
    },
  });
  registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved, attrs) => {
      const [x] = saved as [Tensor];
      return {
        dy: () => engine().runKernel<Tensor>(LEAKY_RELU_GRAD, { dy: ddx as Tensor, x }, attrs),
        x: () => zerosLike(x),
      };
    },
  });
}
