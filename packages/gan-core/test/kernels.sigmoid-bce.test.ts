/**
 * The one-kernel sigmoid cross-entropy (GanmodSigmoidBce) against the same loss written with
 * TF.js ops: value, first and second-order gradients, on wasm and cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIGMOID_BCE, sigmoidBce } from '../src/kernels/sigmoid-bce.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

/** The loss op by op (what bceWithLogits computed before the kernel). */
const composite = (x: tf.Tensor, t: number): tf.Scalar =>
  tf.mean<tf.Scalar>(tf.add(tf.sub(tf.relu(x), tf.mul(x, t)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));

const fused = (x: tf.Tensor, t: number): tf.Scalar => {
  const loss = sigmoidBce(x, t);
  if (loss === undefined) throw new Error(`${SIGMOID_BCE} not served on ${tf.getBackend()}`);
  return loss;
};

/** Logits from a fixed generator, with saturating values included. */
function logits(n: number, seed: number): tf.Tensor2D {
  const values = Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.9) * 9);
  values[0] = 80;
  values[1] = -80;
  return tf.tensor2d(values, [n, 1]);
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe.each(['wasm', 'cpu'])('GanmodSigmoidBce on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each([0, 1, 0.9])('equals the op-by-op loss, target %s', (target) => {
    const x = logits(300, target + 1);
    const [a, b] = [fused(x, target), composite(x, target)];
    expect(a.shape).toEqual([]);
    expect(Math.abs(a.dataSync()[0]! - b.dataSync()[0]!)).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
  });

  it('is one kernel forward', () => {
    const x = logits(64, 3);
    const names: string[] = [];
    const engine = tf.engine();
    const run = engine.runKernel.bind(engine);
    engine.runKernel = ((name: string, ...rest: unknown[]) => {
      names.push(name);
      return (run as (...args: unknown[]) => unknown)(name, ...rest);
    }) as typeof engine.runKernel;
    try {
      tf.dispose(fused(x, 1));
    } finally {
      engine.runKernel = run;
    }
    expect(names).toEqual([SIGMOID_BCE]);
    x.dispose();
  });

  it('has the gradient of the op-by-op loss, and the right second-order gradient', () => {
    const x = logits(200, 5);
    const n = x.size;
    const t = 0.9;
    const firstFused = tf.grad((v: tf.Tensor) => fused(v, t));
    const firstComposite = tf.grad((v: tf.Tensor) => composite(v, t));
    const [ga, gb] = [firstFused(x), firstComposite(x)];
    expect(maxAbsDiff(ga, gb)).toBeLessThan(1e-7);
    // Second order, as penalties on gradients take it: d/dx sum((dL/dx)^2) =
    // 2 (s - t) s (1 - s) / n^2 with s = sigmoid(x). (The op-by-op loss gets this wrong: TF.js
    // gives relu's and abs's masks no gradient, so it is no reference here.)
    const second = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.square(tf.grad((w: tf.Tensor) => fused(w, t))(v))),
    );
    const h = second(x);
    const closedForm = tf.tidy(() => {
      const s = tf.sigmoid(x);
      return tf.mul(tf.mul(tf.sub(s, t), tf.mul(s, tf.sub(1, s))), 2 / (n * n));
    });
    const scale = tf.tidy(() => tf.max(tf.abs(closedForm)).dataSync()[0]!);
    expect(scale).toBeGreaterThan(1e-6);
    expect(maxAbsDiff(h, closedForm)).toBeLessThan(1e-5 * scale);
    tf.dispose([x, ga, gb, h, closedForm]);
  });

  it('refuses empty logits with a named error', () => {
    const x = tf.zeros([0, 1]);
    expect(() => fused(x, 1)).toThrow(/GanmodSigmoidBce: logits are empty/);
    x.dispose();
  });
});

describe('sigmoidBce elsewhere', () => {
  it('leaves int32 input to the op-by-op form', () => {
    const x = tf.tensor1d([1, 2], 'int32');
    expect(sigmoidBce(x, 1)).toBeUndefined();
    x.dispose();
  });
});
