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

  it('keeps string tensors working (stock path)', () => {
    const s = tf.tensor(['a', 'bc']);
    expect(tf.clone(s).arraySync()).toEqual(['a', 'bc']);
  });
});
