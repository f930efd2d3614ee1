/**
 * BatchMatMul and _FusedMatMul with transpose flags for wasm.
 *
 * Trick: the stock wasm kernels hand a transposed operand to a slow strided loop (~20x slower
 * than the XNNPACK path taken without flags), and every dense layer's gradient is a matmul with
 * a transposed operand. Transposing the operand explicitly (one cheap copy) and calling the
 * stock kernel without flags keeps the product on the fast path.
 */
import { BatchMatMul, _FusedMatMul } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { WASM, withScope } from './kernel-utils.js';
import type { KernelScope } from './kernel-utils.js';

/** Swaps the two innermost axes. */
function transposeInner(s: KernelScope, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return s.transpose(x, perm);
}

/**
 * Wraps a stock matmul kernel (captured before it is replaced) so that it never sees a
 * transpose flag.
 */
function withoutTransposeFlags(stock: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } & NamedAttrMap;
    if (!attrs.transposeA && !attrs.transposeB) return stock(args);
    const { a, b, ...rest } = args.inputs as { a: TensorInfo; b: TensorInfo };
    return withScope(args.backend, (s) => {
      const inputs = {
        ...rest,
        a: attrs.transposeA ? transposeInner(s, a) : a,
        b: attrs.transposeB ? transposeInner(s, b) : b,
      };
      return s.run(stock, inputs, { ...attrs, transposeA: false, transposeB: false });
    });
  };
}

/** Registry entry built around the stock wasm BatchMatMul. */
export function batchMatMulConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: BatchMatMul, backendName: WASM, kernelFunc: withoutTransposeFlags(stock) };
}

/** Registry entry built around the stock wasm _FusedMatMul. */
export function fusedMatMulConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: _FusedMatMul, backendName: WASM, kernelFunc: withoutTransposeFlags(stock) };
}
