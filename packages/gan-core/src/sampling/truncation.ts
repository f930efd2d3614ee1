/**
 * BigGAN's truncation trick (Brock et al. 2019): latents drawn from N(0, I) restricted to
 * [-threshold, threshold] in every coordinate. Samples move toward the generator's most typical
 * outputs: sharper and more recognisable, less varied. A threshold of Infinity is plain N(0, I).
 */
import * as tf from '@tensorflow/tfjs';
import { checkTruncation, truncatedNormalFromUniform } from './latent.js';

/**
 * `[n, latentDim]` latents from N(0, I) truncated to [-threshold, threshold] per coordinate, by
 * inverse-CDF sampling of seeded uniforms (deterministic in `seed`; no rejection loop). With
 * `threshold` Infinity it is `tf.randomNormal` with the same seed, so untruncated draws match
 * every other sampler of the package.
 */
export function truncatedLatents(
  n: number,
  latentDim: number,
  seed: number,
  threshold: number,
): tf.Tensor2D {
  checkTruncation(threshold);
  if (threshold === Infinity) return tf.randomNormal([n, latentDim], 0, 1, 'float32', seed);
  const uniform = tf.tidy(() => tf.randomUniform([n, latentDim], 0, 1, 'float32', seed));
  const u = uniform.dataSync();
  uniform.dispose();
  const z = new Float32Array(u.length);
  const toNormal = truncatedNormalFromUniform(threshold);
  for (let i = 0; i < u.length; i++) z[i] = toNormal(u[i]!);
  return tf.tensor2d(z, [n, latentDim]);
}
