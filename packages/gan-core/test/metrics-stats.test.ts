import { describe, expect, it } from 'vitest';
import {
  featureMatrix,
  featureMatrixFromRows,
  frechetDistance,
  gaussianStats,
  inceptionScore,
  kernelInceptionDistance,
  type FeatureMatrix,
  type GaussianStats,
} from '../src/metrics/stats/index.js';
import { diagonalGaussian, maxAbsDiff, randomPsd } from './metrics-helpers.js';

function diagonalStats(mean: number[], variances: number[]): GaussianStats {
  const d = mean.length;
  const cov = new Float64Array(d * d);
  variances.forEach((v, i) => (cov[i * d + i] = v));
  return { dim: d, count: 0, mean: Float64Array.from(mean), cov };
}

/** ||mu1 - mu2||^2 + sum_i (s1 + s2 - 2 sqrt(s1 s2)) for diagonal covariances. */
function diagonalClosedForm(m1: number[], v1: number[], m2: number[], v2: number[]): number {
  return m1.reduce((acc, m, i) => {
    const a = v1[i] as number;
    const b = v2[i] as number;
    return acc + (m - (m2[i] as number)) ** 2 + a + b - 2 * Math.sqrt(a * b);
  }, 0);
}

describe('gaussianStats', () => {
  it('matches the textbook mean and unbiased covariance', () => {
    const s = gaussianStats(
      featureMatrixFromRows([
        [1, 2],
        [3, 6],
        [5, 7],
      ]),
    );
    expect(Array.from(s.mean)).toEqual([3, 5]);
    // var(x) = 4, var(y) = 7, cov = (-2*-3 + 0*1 + 2*2)/2 = 5
    expect(maxAbsDiff(s.cov, [4, 5, 5, 7])).toBeLessThan(1e-12);
  });

  it('is accurate for features with a large offset (two-pass)', () => {
    const base = diagonalGaussian(1000, [0, 0], [1, 4], 5);
    const shifted = featureMatrix(
      base.data.map((v) => v + 1e6),
      base.rows,
      base.cols,
    );
    expect(maxAbsDiff(gaussianStats(shifted).cov, gaussianStats(base).cov)).toBeLessThan(1e-6);
  });

  it('needs two samples', () => {
    expect(() => gaussianStats(featureMatrixFromRows([[1, 2]]))).toThrow(RangeError);
  });
});

describe('frechetDistance', () => {
  it('is ~0 for a feature set against itself', () => {
    const f = diagonalGaussian(600, [1, -2, 0.5, 3, 0, 0, 1, 2], [1, 2, 3, 0.5, 1, 1, 4, 0.1], 1);
    const s = gaussianStats(f);
    expect(frechetDistance(s, s)).toBeLessThan(1e-9);
  });

  it('equals the diagonal closed form on exact statistics', () => {
    const m1 = [0, 1, 2];
    const v1 = [1, 4, 0.25];
    const m2 = [1, 1, -1];
    const v2 = [9, 1, 0.25];
    const expected = diagonalClosedForm(m1, v1, m2, v2); // 1+0+9 + (1+9-6) + (4+1-4) + 0 = 15
    expect(expected).toBeCloseTo(15, 12);
    expect(frechetDistance(diagonalStats(m1, v1), diagonalStats(m2, v2))).toBeCloseTo(expected, 10);
  });

  it('matches the closed form from Gaussian samples within sampling error', () => {
    const m1 = [0, 0, 0, 0];
    const v1 = [1, 1, 2, 0.5];
    const m2 = [1, -1, 0, 0.5];
    const v2 = [4, 1, 0.5, 0.5];
    const fid = frechetDistance(
      gaussianStats(diagonalGaussian(20_000, m1, v1, 2)),
      gaussianStats(diagonalGaussian(20_000, m2, v2, 3)),
    );
    const expected = diagonalClosedForm(m1, v1, m2, v2);
    expect(Math.abs(fid - expected) / expected).toBeLessThan(0.03);
  });

  it('handles full covariances: S2 = c^2 S1 gives ||dmu||^2 + (1 - c)^2 Tr S1', () => {
    const d = 16;
    const s1 = randomPsd(d, d, 9);
    const c = 3;
    let tr = 0;
    for (let i = 0; i < d; i++) tr += s1[i * d + i] as number;
    const mu2 = Float64Array.from({ length: d }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const a: GaussianStats = { dim: d, count: 0, mean: new Float64Array(d), cov: s1 };
    const b: GaussianStats = { dim: d, count: 0, mean: mu2, cov: s1.map((v) => c * c * v) };
    const expected = d / 2 + (1 - c) ** 2 * tr;
    expect(frechetDistance(a, b) / expected).toBeCloseTo(1, 9);
    expect(frechetDistance(b, a) / expected).toBeCloseTo(1, 9);
  });

  it('grows with the distance between the sets', () => {
    const ref = gaussianStats(diagonalGaussian(2000, [0, 0, 0], [1, 1, 1], 4));
    const near = gaussianStats(diagonalGaussian(2000, [0.5, 0, 0], [1, 1, 1], 5));
    const far = gaussianStats(diagonalGaussian(2000, [3, 0, 0], [1, 1, 1], 6));
    expect(frechetDistance(ref, near)).toBeLessThan(frechetDistance(ref, far));
  });
});

/** Unbiased MMD^2 over all samples, straight from the definition. */
function bruteForceMmd2(x: FeatureMatrix, y: FeatureMatrix): number {
  const d = x.cols;
  const k = (a: FeatureMatrix, i: number, b: FeatureMatrix, j: number) => {
    let dot = 0;
    for (let t = 0; t < d; t++)
      dot += (a.data[i * d + t] as number) * (b.data[j * d + t] as number);
    return (dot / d + 1) ** 3;
  };
  const m = x.rows;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) {
        xx += k(x, i, x, j);
        yy += k(y, i, y, j);
      }
      xy += k(x, i, y, j);
    }
  }
  return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
}

describe('kernelInceptionDistance', () => {
  const x = diagonalGaussian(300, [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], 10);
  const y = diagonalGaussian(300, [0.7, 0, 0, 0, 0], [1, 1, 2, 1, 1], 11);

  it('equals the unbiased MMD^2 definition when one subset covers every sample', () => {
    const expected = bruteForceMmd2(x, y);
    const cached = kernelInceptionDistance(x, y, { subsets: 1, subsetSize: 300 });
    const uncached = kernelInceptionDistance(x, y, {
      subsets: 1,
      subsetSize: 300,
      maxCachedKernelEntries: 0,
    });
    expect(cached.mean / expected).toBeCloseTo(1, 5); // cached kernels are stored as Float32
    expect(uncached.mean / expected).toBeCloseTo(1, 10);
    expect(cached.std).toBe(0);
  });

  it('is ~0 for two samples of one distribution and clearly positive for a shift', () => {
    const shifted = kernelInceptionDistance(x, y, { subsets: 50, subsetSize: 200 });
    expect(shifted.mean).toBeGreaterThan(0.3);
    expect(shifted.std).toBeGreaterThan(0);
    for (const seed of [12, 13, 14]) {
      const x2 = diagonalGaussian(300, [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], seed);
      const same = kernelInceptionDistance(x, x2, { subsets: 50, subsetSize: 200 });
      expect(Math.abs(same.mean)).toBeLessThan(shifted.mean / 20);
    }
  });

  it('of a set with itself is near 0 (slightly negative: the two subsets share samples)', () => {
    const self = kernelInceptionDistance(x, x, { subsets: 50, subsetSize: 200 });
    const shifted = kernelInceptionDistance(x, y, { subsets: 50, subsetSize: 200 });
    expect(self.mean).toBeLessThan(0);
    expect(Math.abs(self.mean)).toBeLessThan(shifted.mean / 5);
  });

  it('is reproducible for a seed and shrinks the subset to the smaller set', () => {
    const a = kernelInceptionDistance(x, y, { subsets: 5, seed: 1 });
    const b = kernelInceptionDistance(x, y, { subsets: 5, seed: 1 });
    expect(a).toEqual(b);
    expect(a.subsetSize).toBe(300);
  });
});

describe('inceptionScore', () => {
  const oneHot = (n: number, classes: number) =>
    featureMatrix(
      Float64Array.from({ length: n * classes }, (_, i) =>
        Math.floor(i / classes) % classes === i % classes ? 1 : 0,
      ),
      n,
      classes,
    );

  it('equals the number of classes for confident predictions spread evenly', () => {
    const is = inceptionScore(oneHot(1000, 10), { splits: 10, shuffle: false });
    expect(is.mean).toBeCloseTo(10, 10);
    expect(is.std).toBeCloseTo(0, 10);
  });

  it('is close to the number of classes after shuffling too', () => {
    expect(inceptionScore(oneHot(10_000, 10)).mean).toBeGreaterThan(9.9);
  });

  it('is 1 when every sample gets the same prediction', () => {
    const constant = featureMatrix(
      Float64Array.from({ length: 500 * 4 }, (_, i) => [0.7, 0.1, 0.1, 0.1][i % 4] as number),
      500,
      4,
    );
    expect(inceptionScore(constant).mean).toBeCloseTo(1, 12);
  });

  it('matches a hand computation on a mixed set', () => {
    // Half the samples sure of class 0, half undecided: p(y) = (0.75, 0.25).
    const rows = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? [1, 0] : [0.5, 0.5]));
    const kl1 = Math.log(1 / 0.75);
    const kl2 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    const is = inceptionScore(featureMatrixFromRows(rows), { splits: 1 });
    expect(is.mean).toBeCloseTo(Math.exp((kl1 + kl2) / 2), 12);
  });
});
