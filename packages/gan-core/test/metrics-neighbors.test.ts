import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  featureMatrix,
  kernelInceptionDistance,
  kernelInceptionDistanceOnBackend,
  kNearestNeighbors,
  manifoldRadii,
  precisionRecall,
  type FeatureMatrix,
} from '../src/metrics/index.js';
import { diagonalGaussian } from './metrics-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function bruteForceNearest(
  q: FeatureMatrix,
  r: FeatureMatrix,
  i: number,
  skip = -1,
): { index: number; dist: number } {
  let best = { index: -1, dist: Infinity };
  for (let j = 0; j < r.rows; j++) {
    if (j === skip) continue;
    let s = 0;
    for (let k = 0; k < q.cols; k++)
      s += ((q.data[i * q.cols + k] as number) - (r.data[j * r.cols + k] as number)) ** 2;
    if (s < best.dist) best = { index: j, dist: s };
  }
  return { index: best.index, dist: Math.sqrt(best.dist) };
}

function concat(a: FeatureMatrix, b: FeatureMatrix): FeatureMatrix {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return featureMatrix(data, a.rows + b.rows, a.cols);
}

describe('kNearestNeighbors', () => {
  const query = diagonalGaussian(70, [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], 21);
  const reference = diagonalGaussian(130, [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], 22);

  it('matches brute force across block boundaries', async () => {
    const nn = await kNearestNeighbors(query, reference, 3, { queryBlock: 16, referenceBlock: 40 });
    for (let i = 0; i < query.rows; i++) {
      const expected = bruteForceNearest(query, reference, i);
      expect(nn.indices[3 * i]).toBe(expected.index);
      expect(nn.distances[3 * i]).toBeCloseTo(expected.dist, 4);
      expect(nn.distances[3 * i + 1]).toBeGreaterThanOrEqual(nn.distances[3 * i] as number);
      expect(nn.distances[3 * i + 2]).toBeGreaterThanOrEqual(nn.distances[3 * i + 1] as number);
    }
  });

  it('skips the sample itself within one set', async () => {
    const nn = await kNearestNeighbors(reference, reference, 1, {
      excludeSelf: true,
      queryBlock: 50,
      referenceBlock: 50,
    });
    for (let i = 0; i < reference.rows; i++) {
      expect(nn.indices[i]).toBe(bruteForceNearest(reference, reference, i, i).index);
    }
    const withSelf = await kNearestNeighbors(reference, reference, 1);
    expect(Array.from(withSelf.indices)).toEqual(
      Array.from({ length: reference.rows }, (_, i) => i),
    );
  });

  it('rejects k larger than the reference set', async () => {
    await expect(kNearestNeighbors(query, query, 70, { excludeSelf: true })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('precisionRecall', () => {
  const real = diagonalGaussian(400, [0, 0, 0, 0], [1, 1, 1, 1], 31);

  it('is 1 / 1 for identical sets (coverage 1, density ~1)', async () => {
    const pr = await precisionRecall(real, real);
    expect(pr).toMatchObject({ precision: 1, recall: 1, coverage: 1, k: 3 });
    expect(pr.density).toBeGreaterThan(0.8);
    expect(pr.density).toBeLessThan(1.5);
  });

  it('is ~0 / ~0 for disjoint far clusters', async () => {
    const far = diagonalGaussian(400, [50, 50, 0, 0], [1, 1, 1, 1], 32);
    const pr = await precisionRecall(real, far);
    expect(pr).toMatchObject({ precision: 0, recall: 0, density: 0, coverage: 0 });
  });

  it('density and coverage shrug off a real outlier that inflates precision', async () => {
    // One real sample far out has a huge ball (radius ~42) that swallows a far-off fake cluster.
    const outlier = featureMatrix(Float64Array.from([30, 30, 0, 0]), 1, 4);
    const withOutlier = concat(real, outlier);
    const fake = diagonalGaussian(400, [40, 40, 0, 0], [1, 1, 1, 1], 38);
    const pr = await precisionRecall(withOutlier, fake);
    expect(pr.precision).toBeGreaterThan(0.9);
    expect(pr.coverage).toBeLessThan(0.01);
    expect(pr.density).toBeCloseTo(1 / 3, 9); // each fake sits in that one ball only
  });

  it('is high for a second sample of the same distribution', async () => {
    const same = diagonalGaussian(400, [0, 0, 0, 0], [1, 1, 1, 1], 33);
    const pr = await precisionRecall(real, same);
    expect(pr.precision).toBeGreaterThan(0.8);
    expect(pr.recall).toBeGreaterThan(0.8);
  });

  it('separates fidelity from diversity: a collapsed generator has precision but no recall', async () => {
    // Two real modes; the "generator" covers only one of them.
    const a = diagonalGaussian(200, [0, 0, 0, 0], [1, 1, 1, 1], 34);
    const b = diagonalGaussian(200, [20, 0, 0, 0], [1, 1, 1, 1], 35);
    const collapsed = diagonalGaussian(400, [0, 0, 0, 0], [1, 1, 1, 1], 36);
    const pr = await precisionRecall(concat(a, b), collapsed);
    expect(pr.precision).toBeGreaterThan(0.8);
    expect(pr.recall).toBeLessThan(0.55);
    expect(pr.recall).toBeGreaterThan(0.3);
  });

  it('reuses precomputed real radii with the same result', async () => {
    const fake = diagonalGaussian(400, [0.5, 0, 0, 0], [2, 1, 1, 1], 37);
    const radii = await manifoldRadii(real, 5);
    expect(await precisionRecall(real, fake, { k: 5, realRadii: radii })).toEqual(
      await precisionRecall(real, fake, { k: 5 }),
    );
  });
});

describe('kernelInceptionDistanceOnBackend', () => {
  it('agrees with the float64 JS implementation (same subsets)', async () => {
    const x = diagonalGaussian(250, [0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], 41);
    const y = diagonalGaussian(250, [0.3, 0, 0, 0, 0, 0, 0, 0], [1, 2, 1, 1, 1, 1, 1, 1], 42);
    const options = { subsets: 8, subsetSize: 120, seed: 5 };
    const js = kernelInceptionDistance(x, y, options);
    const backend = await kernelInceptionDistanceOnBackend(x, y, options);
    expect(backend.mean).toBeCloseTo(js.mean, 4);
    expect(backend.std).toBeCloseTo(js.std, 4);
    expect(backend.mean).toBeGreaterThan(0.01);
  });
});
