/**
 * Penalties that differentiate D's input gradient (WGAN-GP, R1) backpropagate through the backward
 * pass of every layer. LeakyReLU's and ReLU-like gradients build a mask with a comparison op
 * (Greater, ...) for which tfjs registers no gradient, so the second-order pass fails with
 * "gradient function not found for Greater". A comparison is piecewise constant: its gradient is
 * zero wherever it is defined, which is what is registered here (only where none exists).
 */
import * as tf from '@tensorflow/tfjs';

const comparisonKernels = [
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'Equal',
  'NotEqual',
] as const;

let registered = false;

/** Registers zero gradients for comparison kernels that lack one. Idempotent. */
export function ensureSecondOrderGradients(): void {
  if (registered) return;
  for (const kernelName of comparisonKernels) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
  registered = true;
}
