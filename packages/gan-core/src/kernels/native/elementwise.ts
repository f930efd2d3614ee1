/**
 * Elementwise and reduction kernels served by the native addon on the wasm backend: Tanh,
 * LeakyRelu and its gradient, and Sum/Mean over leading axes.
 *
 * Why: stock wasm runs LeakyRelu without SIMD, and its gradient as three full passes (Greater,
 * Multiply, Select). One native pass each cuts the elementwise share of a GAN step (most of what
 * is left of an MLP GAN's). Adam (adam.ts), dropout masks (dropout.ts) and batch norm
 * (batch-norm.ts) have their own files.
 */
import {
  engine,
  getGradient,
  LeakyRelu,
  Mean,
  registerGradient,
  Sum,
  Tanh,
  zerosLike,
} from '@tensorflow/tfjs';
import type {
  GradConfig,
  KernelFunc,
  LeakyReluAttrs,
  NamedAttrMap,
  Tensor,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { hasKernel, heapFloats } from '../kernel-utils.js';
import { reduceLeadingKernel, type SumRows } from '../reduce-leading.js';
import type { NativeAddon } from './addon.js';
import type { NativeKernel } from './kernel.js';

/** Custom kernel: `dx = x > 0 ? dy : alpha * dy` (LeakyRelu's gradient in one pass). */
export const LEAKY_RELU_GRAD = 'GanmodLeakyReluGrad';
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

/** Sum over leading axes (as rows) with the addon's float64 accumulators. */
function sumRows(native: NativeAddon): SumRows {
  return (input, output, rows, scale) => native.sumRows(input, output, rows, scale);
}

/** The elementwise and reduction kernels the addon serves. */
export const elementwiseKernels: NativeKernel[] = [
  {
    kernelName: LeakyRelu,
    create: (native, fallback) =>
      unaryKernel(fallback(), (x, y, attrs) =>
        native.leakyRelu(x, y, (attrs as unknown as LeakyReluAttrs).alpha),
      ),
  },
  { kernelName: LEAKY_RELU_GRAD, create: (native) => leakyReluGradKernel(native) },
  {
    kernelName: Tanh,
    create: (native, fallback) => unaryKernel(fallback(), (x, y) => native.tanh(x, y)),
  },
  {
    kernelName: Sum,
    create: (native, fallback) => reduceLeadingKernel(fallback(), false, sumRows(native)),
  },
  {
    kernelName: Mean,
    create: (native, fallback) => reduceLeadingKernel(fallback(), true, sumRows(native)),
  },
];

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
