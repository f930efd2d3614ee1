/**
 * DP-SGD on the discriminator (DP-GAN, Xie et al. 2018): the real images of each D update are a
 * Poisson sample of the dataset; each one's gradient of D's weights is clipped to L2 norm C (here
 * by one backward pass per example, the reference; the trainer uses the one-pass per-example path
 * of per-example.ts where D allows it), summed, and Gaussian noise N(0, σ²C²) is added
 * before dividing by the expected batch size. The fake half of the loss reads no private data and
 * keeps its ordinary batch gradient. G is trained only through D, so G is post-processing.
 */
import * as tf from '@tensorflow/tfjs';

import { secretNormals, secretPoissonSample } from './secret-stream.js';

/** Layer classes whose output for one example depends on the others in the batch. */
const crossSampleLayer = /batch.?norm/i;

/**
 * Names of the layers of `model` that mix examples of a batch (batch normalisation): with any of
 * them, one example's gradient is not its own and per-example clipping bounds nothing.
 */
export function crossSampleLayers(model: tf.LayersModel): string[] {
  return model.layers
    .filter((l) => crossSampleLayer.test(l.getClassName()) || crossSampleLayer.test(l.name))
    .map((l) => `${l.name} (${l.getClassName()})`);
}

/**
 * The Poisson sample of D update `update`: every index of 0..size-1 independently with
 * probability `rate`, drawn from the run's secret key (secret-stream.ts), so a resumed run draws
 * the same samples and nobody without the key can tell which images an update read.
 */
export function poissonSample(
  size: number,
  rate: number,
  key: Uint8Array,
  update: number,
): Int32Array {
  return secretPoissonSample(size, rate, key, update);
}

/**
 * Σ_i clip(∇_vars loss_i, C) over `count` examples: one backward pass per example (microbatches
 * of one), each gradient scaled by min(1, C / ‖g_i‖) with ‖g_i‖ its norm across all of `vars`.
 * Returns tensors in `vars` order (the caller disposes them) and the mean per-example loss.
 */
export function clippedGradientSum(
  vars: readonly tf.Variable[],
  count: number,
  lossOf: (i: number) => tf.Scalar,
  clipNorm: number,
): { sums: tf.Tensor[]; meanLoss: number } {
  let sums = vars.map((v) => tf.zeros(v.shape));
  let lossTotal = tf.scalar(0);
  for (let i = 0; i < count; i++) {
    const next = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => lossOf(i), vars as tf.Variable[]);
      const list = vars.map((v) => grads[v.name] as tf.Tensor);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      // Opacus' factor: C / (‖g‖ + 1e-6), at most 1.
      const factor = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6)));
      return {
        sums: list.map((g, k) => tf.add(sums[k] as tf.Tensor, tf.mul(g, factor))),
        loss: tf.add<tf.Scalar>(lossTotal, value),
      };
    });
    tf.dispose(sums);
    lossTotal.dispose();
    sums = next.sums;
    lossTotal = next.loss;
  }
  const meanLoss = count === 0 ? 0 : (lossTotal.dataSync()[0] as number) / count;
  lossTotal.dispose();
  return { sums, meanLoss };
}

/**
 * (sum + N(0, (σC)²)) / expectedBatch per tensor, the noise of tensor k drawn from the run's
 * secret key for (update, k) (secret-stream.ts). The caller disposes the result; `sums` are left
 * alone.
 */
export function noisyMean(
  sums: readonly tf.Tensor[],
  noiseStd: number,
  expectedBatch: number,
  key: Uint8Array,
  update: number,
): tf.Tensor[] {
  return sums.map((s, k) => {
    const noise = secretNormals(s.size, key, update, k);
    for (let i = 0; i < noise.length; i++) noise[i] = (noise[i] as number) * noiseStd;
    return tf.tidy(() => tf.div(tf.add(s, tf.tensor(noise, s.shape, 'float32')), expectedBatch));
  });
}
