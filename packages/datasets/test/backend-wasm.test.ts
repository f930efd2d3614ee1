// The package only creates tensors through `tf`, so it must behave the same on any backend.
// This runs the batch path on the wasm backend and compares it with the stored arrays.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmoji, RING8, sampleMixture } from '../src/index.js';

describe('batches on the wasm backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('yields the stored samples and leaks nothing', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const { dataset } = await loadEmoji({ limit: 50, size: 16, testFraction: 0 });
    const points = sampleMixture(RING8, { limit: 100 }).dataset;
    const start = tf.memory().numTensors;
    for (const batch of dataset.batches(16, { seed: 2 })) {
      const indices = Array.from(batch.labels.dataSync()).length;
      expect(batch.images.shape.slice(1)).toEqual([16, 16, 3]);
      expect(indices).toBe(batch.images.shape[0]);
      tf.dispose(batch);
    }
    const whole = dataset.batch(Array.from({ length: 50 }, (_, i) => i));
    expect(whole.images.dataSync()).toEqual(dataset.data);
    expect(whole.labels.dataSync()).toEqual(dataset.labels);
    tf.dispose(whole);
    const pointBatch = points.batch([0, 99]);
    expect(Array.from(pointBatch.images.dataSync())).toEqual([
      ...points.data.subarray(0, 2),
      ...points.data.subarray(198),
    ]);
    tf.dispose(pointBatch);
    expect(tf.memory().numTensors).toBe(start);
  });
});
