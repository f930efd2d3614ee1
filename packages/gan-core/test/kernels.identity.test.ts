import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setUpWasm } from './kernel-harness.js';

describe('wasm Identity (shared data)', () => {
  beforeAll(async () => {
    await setUpWasm();
    await tf.setBackend('wasm');
  });

  it('clones without copying and the clone outlives its source', () => {
    const buffers = (): number => tf.backend().numDataIds();
    const before = buffers();
    const a = tf.tensor([1, 2, 3, 4], [2, 2]);
    const b = tf.clone(a);
    expect(b.shape).toEqual([2, 2]);
    expect(buffers() - before).toBe(1); // one buffer for both
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
    expect(buffers()).toBe(before);
  });

  it('a clone of a variable keeps the old values after the variable is assigned', () => {
    const v = tf.variable(tf.tensor([1, 2, 3]));
    const saved = tf.clone(v);
    v.assign(tf.tensor([7, 8, 9]));
    expect(Array.from(saved.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([v, saved]);
  });

  it('saves tensors for gradients without Identity kernels, leak-free, second order intact', async () => {
    const x = tf.tensor1d([0.5, -1.5, 2]);
    // d/dx x^3 = 3x^2 and d2/dx2 = 6x: Multiply saves its inputs, and the second derivative
    // differentiates through those saved tensors (the clone's tape node).
    const second = tf.grad((t: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.mul(tf.mul(u, u), u))(t));
    const run = async (): Promise<{ values: number[]; identities: number }> => {
      const tensors = tf.memory().numTensors;
      const buffers = tf.backend().numDataIds();
      let values: number[] = [];
      const profile = await tf.profile(() => {
        const g = second(x);
        values = Array.from(g.dataSync());
        g.dispose();
      });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(buffers);
      return { values, identities: profile.kernels.filter((k) => k.name === 'Identity').length };
    };
    const fast = await run();
    // The stock clone (Engine.prototype.clone: an Identity kernel per saved tensor) for reference.
    const engine = tf.engine() as unknown as { clone: (t: tf.Tensor) => tf.Tensor };
    const installed = engine.clone;
    engine.clone = (Object.getPrototypeOf(engine) as typeof engine).clone.bind(engine);
    const stock = await run().finally(() => {
      engine.clone = installed;
    });
    expect(fast.values).toEqual([3, -9, 12]);
    expect(stock.values).toEqual(fast.values);
    // 16 saved tensors in this graph (both orders); the other Identity kernels are tf.grad's own.
    expect(stock.identities - fast.identities).toBe(16);
    x.dispose();
  });

  it('keeps string tensors working (stock path)', () => {
    const s = tf.tensor(['a', 'bc']);
    expect(tf.clone(s).arraySync()).toEqual(['a', 'bc']);
  });
});
