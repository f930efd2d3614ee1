/**
 * Sum and Mean over leading axes for wasm (batch norm's statistics and its gradient's
 * reductions: [N, H, W, C] -> [C]).
 *
 * Trick: the stock wasm kernels reduce innermost axes only, so they first transpose the whole
 * tensor (a slow generic strided copy) to bring the reduced axes inward. Reducing leading axes
 * needs no transpose at all: view the tensor as [M, C] rows and add the rows up, reading wasm
 * memory in order. Done in JS with float64 accumulators (as the cpu backend's reference
 * kernel); other reductions go to the stock kernels.
 */
import { backend_util, Mean, Sum, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, WASM } from './kernel-utils.js';

/**
 * Number of leading axes reduced when `axis` is exactly [0, k) with 0 < k < rank;
 * otherwise undefined (the stock kernel handles it).
 */
export function leadingReduction(
  shape: readonly number[],
  axis: number | number[],
): number | undefined {
  const axes = util.parseAxisParam(axis, shape as number[]);
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const k = sorted.length;
  if (k === 0 || k >= shape.length || sorted.some((a, i) => a !== i)) return undefined;
  return k;
}

/** Adds up `rows` rows of `output.length` values from `input` into `output`, times `scale`. */
export type SumRows = (
  input: Float32Array,
  output: Float32Array,
  rows: number,
  scale: number,
) => void;

/** The JS summation: float64 accumulators, as the cpu backend's reference kernel. */
const sumRowsJs: SumRows = (input, output, rows, scale) => {
  const width = output.length;
  const acc = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    const offset = r * width;
    for (let c = 0; c < width; c++) acc[c]! += input[offset + c]!;
  }
  for (let c = 0; c < width; c++) output[c] = scale === 1 ? acc[c]! : acc[c]! * scale;
};

/**
 * Sum (or Mean) over leading axes with `sumRows` (default: in JS); other reductions go to
 * `fallback`. The native kernels pass the addon's summation.
 */
export function reduceLeadingKernel(
  fallback: KernelFunc,
  mean: boolean,
  sumRows: SumRows = sumRowsJs,
): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const k = x.dtype === 'float32' ? leadingReduction(x.shape, axis) : undefined;
    if (k === undefined) return fallback(args);
    const backend = args.backend as BackendWasm;
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const innerShape = x.shape.slice(k);
    const outShape = keepDims
      ? backend_util.expandShapeToKeepDim(
          innerShape,
          Array.from({ length: k }, (_, i) => i),
        )
      : innerShape;
    const out = backend.makeOutput(outShape, 'float32');
    sumRows(heapFloats(backend, x), heapFloats(backend, out), rows, mean ? 1 / rows : 1);
    return out;
  };
}

/** Registry entry wrapping the stock wasm Sum. */
export function sumConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: Sum, backendName: WASM, kernelFunc: reduceLeadingKernel(stock, false) };
}

/** Registry entry wrapping the stock wasm Mean. */
export function meanConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: Mean, backendName: WASM, kernelFunc: reduceLeadingKernel(stock, true) };
}
