/**
 * The VAE objective. Images come from the data pipeline in [-1, 1] and the decoder ends in tanh, so
 * the likelihood is a Gaussian with the decoder's output as its mean and a fixed standard deviation
 * {@link VAE_PIXEL_SIGMA}: its negative log-likelihood is a scaled squared error. (A Bernoulli/BCE
 * likelihood would need pixels in [0, 1] read as probabilities; the rest of the project works in
 * [-1, 1], and a Gaussian keeps the decoder exactly the DCGAN generator.)
 *
 * Every term is summed over an image's pixels or latent dimensions and averaged over the batch, so
 * values are nats per image: `elbo = -(recon + kl)` is a lower bound on log p(x) up to the
 * Gaussian's constant -D/2·log(2π σ²), which is left out (it does not depend on the weights).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Standard deviation of the Gaussian likelihood p(x|z), in the [-1, 1] pixel scale (0.25 of the
 * [0, 1] range). Smaller values weigh reconstruction more against the KL term; β does the same
 * trade from the other side.
 */
export const VAE_PIXEL_SIGMA = 0.5;

/** The reparameterisation z = mu + exp(logVar / 2) * eps, eps ~ N(0, I) drawn with `seed`. */
export function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed);
    return tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
  });
}

/** Gaussian negative log-likelihood without its constant: sum (x - mean)^2 / (2 σ²), batch mean. */
export function gaussianReconstruction(
  images: tf.Tensor,
  mean: tf.Tensor,
  sigma = VAE_PIXEL_SIGMA,
): tf.Scalar {
  return tf.tidy(() => {
    const perImage = tf.sum(tf.squaredDifference(images, mean), [1, 2, 3]);
    return tf.div(tf.mean(perImage), 2 * sigma * sigma);
  });
}

/** KL(N(mu, exp(logVar)) || N(0, I)) = 1/2 sum(mu² + exp(logVar) - 1 - logVar), batch mean. */
export function gaussianKl(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const terms = tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1));
    return tf.mul(tf.mean(tf.sum(terms, 1)), 0.5);
  });
}
