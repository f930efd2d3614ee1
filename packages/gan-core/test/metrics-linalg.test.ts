import { describe, expect, it } from 'vitest';
import {
  matMulSquare,
  sqrtmPsd,
  symmetricEigen,
  traceSqrtProduct,
} from '../src/metrics/stats/index.js';
import { maxAbsDiff, randomPsd, randomSymmetric } from './metrics-helpers.js';

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j] as number;
  return t;
}

function reconstruct(values: Float64Array, vectors: Float64Array, n: number): Float64Array {
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      scaled[i * n + j] = (vectors[i * n + j] as number) * (values[j] as number);
  return matMulSquare(scaled, transpose(vectors, n), n);
}

function identity(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}

describe('symmetricEigen', () => {
  it('finds the eigenvalues of a known 2x2 matrix', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(3, 12);
    // Eigenvector of 3 is (1, 1)/sqrt(2) up to sign.
    expect(Math.abs(vectors[1] as number)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(Math.abs(vectors[3] as number)).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it.each([1, 2, 7, 64, 150])(
    'decomposes a random symmetric %i x %i matrix: A = V L V^T, V^T V = I',
    (n) => {
      const a = randomSymmetric(n, 100 + n);
      const { values, vectors } = symmetricEigen(a, n);
      expect(maxAbsDiff(reconstruct(values, vectors, n), a)).toBeLessThan(1e-11 * n);
      expect(maxAbsDiff(matMulSquare(transpose(vectors, n), vectors, n), identity(n))).toBeLessThan(
        1e-12 * n,
      );
      for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] as number);
    },
  );

  it('handles repeated eigenvalues and the zero matrix', () => {
    const n = 5;
    const twiceIdentity = identity(n).map((v) => 2 * v);
    expect(Array.from(symmetricEigen(twiceIdentity, n).values)).toEqual([2, 2, 2, 2, 2]);
    const zero = symmetricEigen(new Float64Array(n * n), n);
    expect(Array.from(zero.values)).toEqual([0, 0, 0, 0, 0]);
    expect(maxAbsDiff(matMulSquare(transpose(zero.vectors, n), zero.vectors, n), identity(n))).toBe(
      0,
    );
  });

  it('rejects non-finite input', () => {
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(/non-finite/);
  });
});

describe('sqrtmPsd', () => {
  it.each([
    [12, 12],
    [40, 40],
    [30, 5], // rank deficient: eigenvalues at round-off level around zero
  ])('squares back to the matrix (n=%i, rank=%i)', (n, rank) => {
    const a = randomPsd(n, rank, 7 * n + rank);
    const r = sqrtmPsd(a, n);
    const scale = Math.max(...Array.from(a, Math.abs));
    expect(maxAbsDiff(matMulSquare(r, r, n), a)).toBeLessThan(1e-10 * scale);
    expect(maxAbsDiff(r, transpose(r, n))).toBe(0);
  });

  it('is the entry-wise square root for diagonal matrices', () => {
    const r = sqrtmPsd([4, 0, 0, 0, 9, 0, 0, 0, 0.25], 3);
    expect(maxAbsDiff(r, [2, 0, 0, 0, 3, 0, 0, 0, 0.5])).toBeLessThan(1e-14);
  });
});

describe('traceSqrtProduct', () => {
  it('equals Tr(S) when S1 = S2 = S', () => {
    const n = 20;
    const s = randomPsd(n, n, 3);
    let tr = 0;
    for (let i = 0; i < n; i++) tr += s[i * n + i] as number;
    expect(traceSqrtProduct(s, s, n)).toBeCloseTo(tr, 8);
  });

  it('equals Tr(sqrtm(S1 S2)) computed through sqrtm of the (commuting) product', () => {
    // S2 = S1^2 commutes with S1, so sqrtm(S1 S2) = S1^(3/2) = S1 sqrtm(S1).
    const n = 15;
    const s1 = randomPsd(n, n, 11);
    const s2 = matMulSquare(s1, s1, n);
    const expected = matMulSquare(s1, sqrtmPsd(s1, n), n);
    let tr = 0;
    for (let i = 0; i < n; i++) tr += expected[i * n + i] as number;
    expect(traceSqrtProduct(s1, s2, n) / tr).toBeCloseTo(1, 9);
  });
});
