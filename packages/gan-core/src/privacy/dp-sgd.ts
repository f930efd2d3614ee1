/**
 * DP-SGD on the discriminator (DP-GAN, Xie et al. 2018): the real images of each D update are a
 * Poisson sample of the dataset; each one's gradient of D's weights is clipped to L2 norm C (here
 * by one backward pass per example, the reference; the trainer uses the one-pass per-example path
 * of per-example.ts where D allows it), summed, and Gaussian noise N(0, σ²C²) is added
 * before dividing by the expected batch size. The fake half of the loss reads no private data and
 * keeps its ordinary batch gradient. G is trained only through D, so G is post-processing.
 */
import * as tf from '@tensorflow/tfjs';

import { CounterRng } from '../train/prng.js';

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

/** Stream offset of the Poisson draws, apart from every other use of the run's seed. */
const poissonStream = 0x51ed27;

/**
 * The Poisson sample of D update `update`: every index of 0..size-1 independently with
 * probability `rate`, from a counter-based stream of (seed, update), so a resumed run draws the
 * same samples.
 */
export function poissonSample(
  size: number,
  rate: number,
  seed: number,
  update: number,
): Int32Array {
  const rng = new CounterRng((seed ^ poissonStream) >>> 0, update * size);
  const picked: number[] = [];
  for (let i = 0; i < size; i++) if (rng.nextFloat() < rate) picked.push(i);
  return Int32Array.from(picked);
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
 * (sum + N(0, (σC)²)) / expectedBatch per tensor, the noise drawn from `seed` (one sub-seed per
 * tensor). The caller disposes the result; `sums` are left alone.
 */
export function noisyMean(
  sums: readonly tf.Tensor[],
  noiseStd: number,
  expectedBatch: number,
  seed: number,
): tf.Tensor[] {
  const rng = new CounterRng(seed >>> 0);
  return sums.map((s) =>
    tf.tidy(() =>
      tf.div(
        tf.add(s, tf.randomNormal(s.shape, 0, noiseStd, 'float32', rng.nextSeed())),
        expectedBatch,
      ),
    ),
  );
}
