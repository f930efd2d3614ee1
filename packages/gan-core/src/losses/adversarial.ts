/**
 * Adversarial objectives on discriminator logits. Each returns a scalar to minimise; the
 * discriminator's takes logits on real and on fake images, the generator's logits on fakes.
 */
import * as tf from '@tensorflow/tfjs';

import type { LossKind } from '../config.js';
import { sigmoidBce } from '../kernels/sigmoid-bce.js';

/**
 * Numerically stable sigmoid cross-entropy with logits, mean over the batch:
 * max(x,0) - x*t + log(1+e^-|x|). One kernel on wasm and cpu (see `sigmoidBce`).
 */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  const fused = sigmoidBce(logits, target);
  if (fused !== undefined) return fused;
  return tf.tidy(() =>
    tf.mean(
      tf.add(
        tf.sub(tf.relu(logits), tf.mul(logits, target)),
        tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
      ),
    ),
  );
}

export interface DiscriminatorLossOptions {
  /** One-sided label smoothing: real targets become 1 - labelSmoothing (bce only). */
  labelSmoothing?: number;
}

/** Discriminator loss for `kind` (penalties such as the gradient penalty are added by the caller). */
export function discriminatorLoss(
  kind: LossKind,
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  options: DiscriminatorLossOptions = {},
): tf.Scalar {
  return tf.tidy(() =>
    tf.add(
      discriminatorRealLoss(kind, realLogits, options),
      discriminatorFakeLoss(kind, fakeLogits),
    ),
  );
}

/**
 * The part of the discriminator loss on real images, a mean of per-image terms (private training
 * takes it one image at a time to clip each image's gradient).
 */
export function discriminatorRealLoss(
  kind: LossKind,
  realLogits: tf.Tensor,
  { labelSmoothing = 0 }: DiscriminatorLossOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'bce':
        return bceWithLogits(realLogits, 1 - labelSmoothing);
      case 'hinge':
        return tf.mean<tf.Scalar>(tf.relu(tf.sub(1, realLogits)));
      case 'wgan-gp':
        return tf.neg(tf.mean<tf.Scalar>(realLogits));
    }
  });
}

/** The part of the discriminator loss on generated images. */
export function discriminatorFakeLoss(kind: LossKind, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'bce':
        return bceWithLogits(fakeLogits, 0);
      case 'hinge':
        return tf.mean<tf.Scalar>(tf.relu(tf.add(1, fakeLogits)));
      case 'wgan-gp':
        return tf.mean<tf.Scalar>(fakeLogits);
    }
  });
}

/** Generator loss: non-saturating -log D(G(z)) for bce; -E[D(G(z))] for hinge and wgan-gp. */
export function generatorLoss(kind: LossKind, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    kind === 'bce' ? bceWithLogits(fakeLogits, 1) : tf.neg(tf.mean<tf.Scalar>(fakeLogits)),
  );
}
