import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_DEBIAN_DIR,
  loadFashionMnist,
} from '../src/index.js';

const installed = existsSync(join(FASHION_MNIST_DEBIAN_DIR, 't10k-labels-idx1-ubyte.gz'));
const title = installed
  ? 'loadFashionMnist (Debian files)'
  : `loadFashionMnist (SKIPPED: ${FASHION_MNIST_DEBIAN_DIR} missing; apt-get install dataset-fashion-mnist)`;
if (!installed) console.warn(title);

describe.skipIf(!installed)(title, () => {
  it('loads 60k train / 10k test with the 10 clothing classes, 6,000 per class in train', async () => {
    const [{ dataset: train }, { dataset: test }] = await Promise.all([
      loadFashionMnist({ split: 'train' }),
      loadFashionMnist({ split: 'test' }),
    ]);
    expect(train.size).toBe(60_000);
    expect(test.size).toBe(10_000);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    // Fashion-MNIST is exactly balanced; count the raw label bytes to be sure the loader agrees.
    const rawLabels = gunzipSync(
      readFileSync(join(FASHION_MNIST_DEBIAN_DIR, 'train-labels-idx1-ubyte.gz')),
    ).subarray(8);
    const counts = new Array<number>(10).fill(0);
    train.labels.forEach((l) => counts[l]!++);
    const rawCounts = new Array<number>(10).fill(0);
    rawLabels.forEach((l) => rawCounts[l]!++);
    expect(counts).toEqual(rawCounts);
    expect(new Set(counts)).toEqual(new Set([6000]));
  });

  it('matches the gunzipped bytes pixel for pixel', async () => {
    const { dataset } = await loadFashionMnist({ split: 'test', limit: 100 });
    const bytes = gunzipSync(
      readFileSync(join(FASHION_MNIST_DEBIAN_DIR, 't10k-images-idx3-ubyte.gz')),
    ).subarray(16);
    const image = dataset.toUint8Image(42);
    expect(Buffer.from(image.data).equals(bytes.subarray(42 * 784, 43 * 784))).toBe(true);
  });
});

describe('loadFashionMnist without the files', () => {
  it('names the Debian package to install', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ganmod-fashion-'));
    try {
      await expect(loadFashionMnist({ path: empty })).rejects.toThrow(
        /apt-get install dataset-fashion-mnist/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
