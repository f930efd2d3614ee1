import { loadMnist } from '@ganmod/datasets';
import { describe, expect, it } from 'vitest';
import {
  datasetKey,
  imageShapeOf,
  sampleLength,
  type MetricDataset,
} from '../src/metrics/index.js';

describe('@ganmod/datasets compatibility', () => {
  it('an ImageDataset is a MetricDataset', async () => {
    const { dataset } = await loadMnist({ split: 'test', limit: 50 });
    const metricDataset: MetricDataset = dataset; // the structural contract, checked by tsc
    expect(imageShapeOf(metricDataset)).toEqual([28, 28, 1]);
    expect(datasetKey(metricDataset)).toBe('mnist-28x28x1');
    expect(metricDataset.data.length).toBe(50 * sampleLength(metricDataset));
    expect(metricDataset.labels).toHaveLength(50);
  });

  it('keys differ by resolution and stay path-safe', () => {
    const base = { name: 'folder:/data/My Faces', shape: [64, 64, 3] };
    expect(datasetKey(base)).toBe('folder-data-my-faces-64x64x3');
    expect(() => imageShapeOf({ name: 'toy', shape: [2] })).toThrow(RangeError);
  });
});
