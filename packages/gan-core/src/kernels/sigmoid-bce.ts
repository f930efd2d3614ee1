/**
 * Mean sigmoid cross-entropy with logits against a constant target, as one kernel.
 *
 * Why: written with TF.js ops the loss is nine kernels (relu, mul, sub, abs, neg, exp, log1p,
 * add, mean) and about twenty more in its gradient, each with TF.js's fixed cost per kernel
 * (dispatch, tape node, a clone of every tensor the gradient keeps). A GAN step evaluates it three
 * times on a few hundred logits, so that fixed cost is all it costs: one kernel forward and four
 * in the gradient do the same work.
 *
 * Served on the `wasm` and `cpu` backends (the sum runs in JavaScript, in float64, over the
 * logits); {@link sigmoidBce} returns `undefined` elsewhere so callers keep their op-by-op form.
 */
import {
  div,
  engine,
  getBackend,
  getKernel,
  mul,
  registerGradient,
  registerKernel,
  sigmoid,
  sub,
} from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, Scalar, Tensor, TensorInfo } from '@tensorflow/tfjs';

/** Kernel name; attrs `{ target }`, input `{ logits }`, output a float32 scalar. */
export const SIGMOID_BCE = 'GanmodSigmoidBce';

const BACKENDS = ['wasm', 'cpu'] as const;

interface SigmoidBceAttrs {
  target: number;
}

const sigmoidBceKernel: KernelFunc = ({ inputs, attrs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend;
  const { logits } = inputs as { logits: TensorInfo };
  const { target } = attrs as unknown as SigmoidBceAttrs;
  if (logits.dtype !== 'float32') {
    throw new TypeError(`${SIGMOID_BCE}: logits must be float32, got ${logits.dtype}`);
  }
  const values = backend.readSync(logits.dataId) as Float32Array;
  if (values.length === 0) throw new RangeError(`${SIGMOID_BCE}: logits are empty`);
  let total = 0;
  // max(x, 0) - x t + log(1 + e^-|x|): TF's numerically stable form.
  for (const x of values) total += Math.max(x, 0) - x * target + Math.log1p(Math.exp(-Math.abs(x)));
  const shape: number[] = [];
  const mean = new Float32Array([total / values.length]);
  return { dataId: backend.write(mean, shape, 'float32'), shape, dtype: 'float32' };
};

let registered = false;

function register(): void {
  registered = true;
  for (const backendName of BACKENDS) {
    if (getKernel(SIGMOID_BCE, backendName) === undefined) {
      registerKernel({ kernelName: SIGMOID_BCE, backendName, kernelFunc: sigmoidBceKernel });
    }
  }
  // d/dx = (sigmoid(x) - t) / n, written with ops so that it is differentiable in turn.
  registerGradient({
    kernelName: SIGMOID_BCE,
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => {
      const [logits] = saved as [Tensor];
      const { target } = attrs as unknown as SigmoidBceAttrs;
      return {
        logits: () => mul(sub(sigmoid(logits), target), div(dy as Tensor, logits.size)),
      };
    },
  });
}

/**
 * Mean over all elements of the sigmoid cross-entropy of `logits` against `target`, as one kernel
 * (with its gradient), or `undefined` on backends it does not serve.
 */
export function sigmoidBce(logits: Tensor, target: number): Scalar | undefined {
  if (!registered) register();
  if (!(BACKENDS as readonly string[]).includes(getBackend()) || logits.dtype !== 'float32') {
    return undefined;
  }
  return engine().runKernel<Scalar>(SIGMOID_BCE, { logits }, { target });
}
