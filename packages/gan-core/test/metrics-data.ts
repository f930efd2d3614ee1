/** MNIST and Fashion-MNIST for the metrics tests, through @ganmod/datasets (images in [-1, 1]). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_MNIST_DEBIAN_DIR, loadFashionMnist, loadMnist } from '@ganmod/datasets';
import type { MetricDataset } from '../src/metrics/index.js';

export async function mnist(split: 'train' | 'test', limit?: number): Promise<MetricDataset> {
  return (await loadMnist({ split, ...(limit !== undefined ? { limit } : {}) })).dataset;
}

export const hasFashionMnist = existsSync(
  join(FASHION_MNIST_DEBIAN_DIR, 't10k-images-idx3-ubyte.gz'),
);

export async function fashionMnist(
  split: 'train' | 'test',
  limit?: number,
): Promise<MetricDataset> {
  return (await loadFashionMnist({ split, ...(limit !== undefined ? { limit } : {}) })).dataset;
}

/** Samples [from, to) of a dataset as a new dataset (views, no copy). */
export function slice(d: MetricDataset, from: number, to: number, name = d.name): MetricDataset {
  const len = d.shape.reduce((a, b) => a * b, 1);
  return {
    name,
    shape: d.shape,
    classNames: d.classNames,
    size: to - from,
    data: d.data.subarray(from * len, to * len),
    labels: d.labels.subarray(from, to),
  };
}
