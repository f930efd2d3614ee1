/**
 * Gradient penalties on the discriminator. Both differentiate D's output with respect to its input
 * inside the caller's variableGrads tape, so their gradient w.r.t. D's weights is a second-order
 * gradient; tf.grad's backward pass is recorded on the outer tape.
 */
import * as tf from '@tensorflow/tfjs';

import { ensureSecondOrderGradients } from './second-order.js';

/** D as a function of its samples only (labels, training flag bound by the caller): images or points. */
export type Critic<T extends tf.Tensor = tf.Tensor4D> = (samples: T) => tf.Tensor;

/** The non-batch axes of a rank-`rank` tensor: [1, 2, 3] for images NHWC, [1] for points. */
const sampleAxes = (rank: number): number[] => Array.from({ length: rank - 1 }, (_, i) => i + 1);

/** Per-example squared L2 norm of d sum(D(x)) / dx. */
function inputGradSquaredNorm<T extends tf.Tensor>(critic: Critic<T>, x: T): tf.Tensor1D {
  ensureSecondOrderGradients();
  const grad = tf.grad((input: tf.Tensor) => tf.sum(critic(input as T)))(x);
  return tf.sum(tf.square(grad), sampleAxes(x.rank));
}

/**
 * WGAN-GP (Gulrajani et al. 2017): weight * E[(||grad D(x_hat)|| - 1)^2] on random interpolates
 * x_hat = eps*real + (1-eps)*fake, eps ~ U(0,1) per example drawn with `seed`.
 */
export function gradientPenalty<T extends tf.Tensor>(
  critic: Critic<T>,
  real: T,
  fake: T,
  weight: number,
  seed: number,
): tf.Scalar {
  return tf.tidy(() => {
    const ones = sampleAxes(real.rank).map(() => 1);
    const eps = tf.randomUniform([real.shape[0] ?? 0, ...ones], 0, 1, 'float32', seed);
    const interpolates = tf.add<T>(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
    // The epsilon keeps sqrt differentiable when a gradient is exactly zero.
    const norm = tf.sqrt(tf.add(inputGradSquaredNorm(critic, interpolates), 1e-12));
    return tf.mul(tf.mean(tf.square(tf.sub(norm, 1))), weight);
  });
}

/** R1 (Mescheder et al. 2018): gamma/2 * E[||grad D(real)||^2]. */
export function r1Penalty<T extends tf.Tensor>(
  critic: Critic<T>,
  real: T,
  gamma: number,
): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(inputGradSquaredNorm(critic, real)), gamma / 2));
}
