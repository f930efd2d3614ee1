/**
 * Sharpness of images as their mean gradient magnitude: blurry samples (a VAE's typical failure)
 * score below real images, sharp ones near them. Compare against real images of the same set.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Mean over images, pixels and channels of sqrt(dx² + dy²), with dx, dy the forward differences
 * between neighbouring pixels of `images` `[n, h, w, c]` in [-1, 1] mapped to [0, 1] (so a hard
 * black-to-white edge is a step of 1). Rows and columns without a right / lower neighbour are left
 * out.
 */
export function meanGradientMagnitude(images: tf.Tensor4D): number {
  const [, h, w] = images.shape;
  if (h < 2 || w < 2) throw new RangeError(`images must be at least 2x2, got ${h}x${w}`);
  const value = tf.tidy(() => {
    const x = tf.mul(tf.add(images, 1), 0.5);
    const dx = tf.sub(
      tf.slice(x, [0, 0, 1, 0], [-1, h - 1, w - 1, -1]),
      tf.slice(x, [0, 0, 0, 0], [-1, h - 1, w - 1, -1]),
    );
    const dy = tf.sub(
      tf.slice(x, [0, 1, 0, 0], [-1, h - 1, w - 1, -1]),
      tf.slice(x, [0, 0, 0, 0], [-1, h - 1, w - 1, -1]),
    );
    return tf.mean(tf.sqrt(tf.add(tf.square(dx), tf.square(dy))));
  });
  const result = value.dataSync()[0] as number;
  value.dispose();
  return result;
}
