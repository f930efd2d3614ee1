/**
 * `GanmodDense`: a 2-D matrix product plus an optional bias as one kernel, with a gradient per
 * input that TF.js evaluates only where it is needed. Served by the native addon on the wasm
 * backend (the matrix product kernel of matmul.ts); `fastDense` layers use it there.
 *
 * Why: `tf.matMul` on 2-D tensors is four kernels (three reshapes to and from the batched form
 * BatchMatMul takes, then the product) and the bias another; the gradient about twice that. Each
 * kernel carries TF.js's fixed cost (dispatch, a tape node, clones of what the gradient keeps),
 * which on an MLP GAN's small matrices weighs as much as the arithmetic. The addon's sgemm takes
 * 2-D operands as they are: same product, one kernel.
 */
import { engine, registerGradient, sum } from '@tensorflow/tfjs';
import type { NamedTensorMap, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { hasKernel } from '../kernel-utils.js';
import type { NativeKernel } from './kernel.js';
import { matMulKernel } from './matmul.js';

/** Kernel name; inputs `{ a, b, bias? }` (2-D, 2-D, 1-D), attrs {@link DenseAttrs}. */
export const DENSE = 'GanmodDense';

/** Transposes of the operands, as BatchMatMul's. */
export interface DenseAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

function product(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  const attrs: DenseAttrs = { transposeA, transposeB };
  return engine().runKernel<Tensor>(DENSE, { a, b }, attrs as unknown as Record<string, boolean>);
}

let gradientInstalled = false;

/**
 * Registers GanmodDense's gradient (BatchMatMul's formulas, each product itself a GanmodDense, so
 * second-order gradients work). Idempotent.
 */
export function installDenseGradient(): void {
  if (gradientInstalled) return;
  gradientInstalled = true;
  registerGradient({
    kernelName: DENSE,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [Tensor, Tensor];
      const { transposeA, transposeB } = attrs as unknown as DenseAttrs;
      const g = dy as Tensor;
      if (!transposeA && !transposeB) {
        return {
          a: () => product(g, b, false, true),
          b: () => product(a, g, true, false),
          bias: () => sum(g, 0),
        };
      }
      if (!transposeA) {
        return {
          a: () => product(g, b, false, false),
          b: () => product(g, a, true, false),
          bias: () => sum(g, 0),
        };
      }
      if (!transposeB) {
        return {
          a: () => product(b, g, false, true),
          b: () => product(a, g, false, false),
          bias: () => sum(g, 0),
        };
      }
      return {
        a: () => product(b, g, true, true),
        b: () => product(g, a, true, true),
        bias: () => sum(g, 0),
      };
    },
  });
}

/**
 * `x W + bias` as one kernel where the native addon serves it (wasm backend), else `undefined`
 * (callers compose `tf.matMul` and `tf.add`). `x` is [batch, in], `w` [in, out], `bias` [out].
 */
export function nativeDense(x: Tensor2D, w: Tensor2D, bias?: Tensor1D): Tensor2D | undefined {
  if (!hasKernel(DENSE) || x.dtype !== 'float32' || w.dtype !== 'float32') return undefined;
  installDenseGradient();
  const inputs: NamedTensorMap = bias === undefined ? { a: x, b: w } : { a: x, b: w, bias };
  const attrs: DenseAttrs = { transposeA: false, transposeB: false };
  return engine().runKernel<Tensor2D>(DENSE, inputs, attrs as unknown as Record<string, boolean>);
}

/** GanmodDense on the addon's matrix product (it has no stock version to fall back to). */
export const denseKernels: NativeKernel[] = [
  {
    kernelName: DENSE,
    create: (native) =>
      matMulKernel(native, () => {
        throw new Error(`${DENSE}: only float32 matrices with a matching bias are supported`);
      }),
  },
];
