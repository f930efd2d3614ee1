/**
 * End to end: the gradients of a DCGAN's losses (every conv, transposed conv, dense, batchnorm,
 * leaky ReLU and BCE-with-logits kernel of a training step) on wasm with the project's kernels
 * match the cpu backend's. Dropout is off (it draws random masks); a narrow copy of the bench
 * DCGAN keeps the cpu reference fast.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcgan } from '../src/bench/models.js';
import { relativeError, setUpWasm, values } from './kernel-harness.js';

const BATCH = 3;

/** Gradients of D's and G's losses for fixed weights and inputs, on one backend. */
async function dcganGradients(
  backend: 'cpu' | 'wasm',
  weights: Float32Array[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const { generator, discriminator } = dcgan(16);
  const all = [...generator.weights, ...discriminator.weights];
  tf.tidy(() => all.forEach((w, i) => w.write(tf.tensor(weights[i]!, w.shape as number[]))));
  const result = tf.tidy(() => {
    const z = tf.tensor(values(BATCH * 100, 21), [BATCH, 100]);
    const real = tf.tensor(values(BATCH * 784, 22), [BATCH, 28, 28, 1]);
    const bce = (logits: tf.Tensor, label: number): tf.Scalar =>
      tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(tf.fill(logits.shape, label), logits);
    const G = (x: tf.Tensor): tf.Tensor => generator.apply(x, { training: true }) as tf.Tensor;
    const D = (x: tf.Tensor): tf.Tensor => discriminator.apply(x, { training: false }) as tf.Tensor;
    const fake = G(z);
    const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    const gVars = generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const dGrads = tf.variableGrads(() => tf.add(bce(D(real), 1), bce(D(fake), 0)), dVars);
    const gGrads = tf.variableGrads(() => bce(D(G(z)), 1), gVars);
    return [...Object.values(dGrads.grads), ...Object.values(gGrads.grads)];
  });
  const out = result.map((t) => t.dataSync() as Float32Array);
  tf.dispose(result);
  generator.dispose();
  discriminator.dispose();
  return out;
}

describe('a DCGAN training step on wasm', () => {
  beforeAll(setUpWasm);

  it('computes the same gradients as the cpu backend', async () => {
    await tf.setBackend('cpu');
    const shapes = (() => {
      const { generator, discriminator } = dcgan(16);
      const s = [...generator.weights, ...discriminator.weights].map((w) => w.shape);
      generator.dispose();
      discriminator.dispose();
      return s;
    })();
    const weights = shapes.map((shape, i) =>
      values(
        shape.reduce<number>((a, b) => a * (b ?? 1), 1),
        100 + i,
      ).map((v) => v * 0.2),
    );
    const expected = await dcganGradients('cpu', weights);
    const actual = await dcganGradients('wasm', weights);
    expect(actual).toHaveLength(expected.length);
    expect(expected.length).toBeGreaterThan(10);
    for (let i = 0; i < expected.length; i++) {
      // A whole network's chain of float32 kernels: 1e-4 of the gradient's scale.
      expect(relativeError(actual[i]!, expected[i]!), `gradient ${i}`).toBeLessThan(1e-4);
    }
  }, 60_000);
});
