/**
 * Matrix products on the addon (OpenBLAS sgemm): BatchMatMul and _FusedMatMul (with its bias and
 * activation epilogue), float32, equal batch shapes or one side a single matrix; the rest falls
 * back to the kernel registered before. dense.ts builds GanmodDense on the same kernel.
 */
import { _FusedMatMul, BatchMatMul, util } from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';
import { epilogue, supportsEpilogue } from './epilogue.js';
import type { EpilogueAttrs } from './epilogue.js';
import type { NativeKernel } from './kernel.js';

/** A (batched, fused) matrix product kernel on the addon; what it does not cover goes to `fallback`. */
export function matMulKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as {
      a: TensorInfo;
      b: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as unknown as EpilogueAttrs & {
      transposeA: boolean;
      transposeB: boolean;
    };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = attrs.transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = attrs.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = attrs.transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const kb = attrs.transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = util.sizeFromShape(batchShapeA);
    const batchB = util.sizeFromShape(batchShapeB);
    // Equal batch shapes, or one side a single matrix; other broadcasts go to the fallback.
    const batchShape =
      util.arraysEqual(batchShapeA, batchShapeB) || batchB === 1
        ? batchShapeA
        : batchA === 1
          ? batchShapeB
          : undefined;
    if (
      batchShape === undefined ||
      k !== kb ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      m * n * k === 0 ||
      !supportsEpilogue(bias, preluActivationWeights, attrs.activation, n)
    ) {
      return fallback(args);
    }
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput([...batchShape, m, n], 'float32');
    const c = heapFloats(backend, out);
    const batch = Math.max(batchA, batchB);
    native.matMul(heapFloats(backend, a), heapFloats(backend, b), c, [
      batch,
      m,
      n,
      k,
      attrs.transposeA ? 1 : 0,
      attrs.transposeB ? 1 : 0,
      batchA,
      batchB,
    ]);
    epilogue(native, backend, c, bias, attrs);
    return out;
  };
}

/** The matrix product kernels the addon serves. */
export const matMulKernels: NativeKernel[] = [
  { kernelName: BatchMatMul, create: (native, fallback) => matMulKernel(native, fallback()) },
  { kernelName: _FusedMatMul, create: (native, fallback) => matMulKernel(native, fallback()) },
];
