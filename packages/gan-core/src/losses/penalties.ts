/**
 * Gradient penalties on the discriminator. Both differentiate D's output with respect to its input
 * inside the caller's variableGrads tape, so their gradient w.r.t. D's weights is a second-order
 * gradient; tf.grad's backward pass is recorded on the outer tape.
 */
import * as tf from '@tensorflow/tfjs';

import { ensureSecondOrderGradients } from './second-order.js';

/** D as a function of the image only (labels, training flag bound by the caller). */
export type Critic = (images: tf.Tensor4D) => tf.Tensor;

/** Per-example squared L2 norm of d sum(D(x)) / dx. */
function inputGradSquaredNorm(critic: Critic, x: tf.Tensor4D): tf.Tensor1D {
  ensureSecondOrderGradients();
  const grad = tf.grad((input: tf.Tensor) => tf.sum(critic(input as tf.Tensor4D)))(x);
  return tf.sum(tf.square(grad), [1, 2, 3]);
}

/**
 * WGAN-GP (Gulrajani et al. 2017): weight * E[(||grad D(x_hat)|| - 1)^2] on random interpolates
 * x_hat = eps*real + (1-eps)*fake, eps ~ U(0,1) per example drawn with `seed`.
 */
export function gradientPenalty(
  critic: Critic,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
  weight: number,
  seed: number,
): tf.Scalar {
  return tf.tidy(() => {
    const eps = tf.randomUniform([real.shape[0], 1, 1, 1], 0, 1, 'float32', seed);
    const interpolates = tf.add<tf.Tensor4D>(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
    // The epsilon keeps sqrt differentiable when a gradient is exactly zero.
    const norm = tf.sqrt(tf.add(inputGradSquaredNorm(critic, interpolates), 1e-12));
    return tf.mul(tf.mean(tf.square(tf.sub(norm, 1))), weight);
  });
}

/** R1 (Mescheder et al. 2018): gamma/2 * E[||grad D(real)||^2]. */
export function r1Penalty(critic: Critic, real: tf.Tensor4D, gamma: number): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(inputGradSquaredNorm(critic, real)), gamma / 2));
}
