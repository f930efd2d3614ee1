import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  imageDataset,
  loadMnist,
  RING8,
  sampleMixture,
  type ImageDataset,
} from '../src/index.js';

describe('Dataset batches', () => {
  let mnist: ImageDataset;
  beforeAll(async () => {
    mnist = (await loadMnist({ split: 'test', limit: 1000 })).dataset;
  });

  it('yields [n, h, w, c] float32 images and int32 labels matching the stored arrays', () => {
    const batches = [...mnist.batches(300)];
    expect(batches.map((b) => b.images.shape)).toEqual([
      [300, 28, 28, 1],
      [300, 28, 28, 1],
      [300, 28, 28, 1],
      [100, 28, 28, 1],
    ]);
    const last = batches[3]!;
    expect(last.images.dtype).toBe('float32');
    expect(last.labels.dtype).toBe('int32');
    expect(last.images.dataSync()).toEqual(mnist.data.subarray(900 * 784));
    expect(last.labels.dataSync()).toEqual(mnist.labels.subarray(900));
    tf.dispose(batches);
  });

  it('drops the remainder on request', () => {
    const sizes = [...mnist.batches(300, { dropRemainder: true, seed: 1 })].map((b) => {
      const n = b.images.shape[0];
      tf.dispose(b);
      return n;
    });
    expect(sizes).toEqual([300, 300, 300]);
  });

  it('shuffles reproducibly per seed, differently across seeds, each sample once an epoch', () => {
    const epochLabels = (seed: number) =>
      [...mnist.batches(128, { seed })].flatMap((b) => {
        const labels = Array.from(b.labels.dataSync());
        tf.dispose(b);
        return labels;
      });
    const a = epochLabels(5);
    expect(epochLabels(5)).toEqual(a);
    expect(epochLabels(6)).not.toEqual(a);
    expect(a).not.toEqual(Array.from(mnist.labels));
    // Same multiset of labels as the stored order: a permutation, nothing lost or repeated.
    expect([...a].sort()).toEqual(Array.from(mnist.labels).sort());
  });

  it('batch(indices) gathers the requested samples; bad indices are named', () => {
    const batch = mnist.batch([999, 0, 500]);
    const images = batch.images.dataSync();
    expect(images.subarray(0, 784)).toEqual(mnist.data.subarray(999 * 784, 1000 * 784));
    expect(images.subarray(784 * 2)).toEqual(mnist.data.subarray(500 * 784, 501 * 784));
    expect(Array.from(batch.labels.dataSync())).toEqual([
      mnist.labels[999],
      mnist.labels[0],
      mnist.labels[500],
    ]);
    tf.dispose(batch);
    expect(() => mnist.batch([1000])).toThrow(/index 1000 is out of range for mnist \(size 1000\)/);
    expect(() => mnist.batches(0)).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => mnist.batches(8, { seed: Number.NaN })).toThrow(/seed must be a finite number/);
  });

  it('leaves no tensor behind once the caller disposes each batch', () => {
    const start = tf.memory().numTensors;
    let seen = 0;
    for (const batch of mnist.batches(64, { seed: 9 })) {
      seen += batch.images.shape[0];
      // The typical consumer: compute something, then dispose.
      tf.tidy(() => batch.images.mean().dataSync());
      tf.dispose(batch);
    }
    const points = sampleMixture(RING8, { limit: 500 }).dataset;
    for (const batch of points.batches(100)) tf.dispose(batch);
    expect(seen).toBe(1000);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('take(n) views the first n samples without copying', () => {
    const head = mnist.take(10);
    expect(head.size).toBe(10);
    expect(head.data.buffer).toBe(mnist.data.buffer);
    expect(head.labels).toEqual(mnist.labels.subarray(0, 10));
    expect(mnist.take(5000).size).toBe(1000);
  });

  it('yields [n, 2] batches for point sets and refuses toUint8Image on them', () => {
    const points = sampleMixture(RING8, { limit: 10 }).dataset;
    const [batch] = [...points.batches(10)];
    expect(batch!.images.shape).toEqual([10, 2]);
    tf.dispose(batch);
    expect(() => points.toUint8Image(0)).toThrow(/holds points of shape \[2\], not images/);
  });

  it('validates arrays given to the constructor', () => {
    expect(() =>
      imageDataset({
        name: 'x',
        split: 'train',
        shape: [2, 2, 1],
        classNames: [],
        data: new Float32Array(7),
        labels: new Int32Array(2),
      }),
    ).toThrow(DatasetError);
  });
});
