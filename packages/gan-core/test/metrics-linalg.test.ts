import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../src/kernels/native/addon.js';
import {
  matMulSquare,
  matMulSquareJs,
  sqrtmPsd,
  symmetricEigen,
  symmetricEigenJs,
  symmetricEigenvalues,
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
    const big = randomSymmetric(40, 3);
    big[40 * 7 + 2] = Number.POSITIVE_INFINITY;
    expect(() => symmetricEigen(big, 40)).toThrow(/non-finite/);
  });
});

// LAPACK (dsyevd) and BLAS (dgemm) in the addon, from n = 32: the same answers as the JS loops.
const native = loadNativeAddon().module;
describe.runIf(native?.symmetricEigen !== undefined || process.env.GANMOD_REQUIRE_NATIVE === '1')(
  'native linear algebra',
  () => {
    it('is in the addon', () => {
      expect(typeof native?.symmetricEigen).toBe('function');
      expect(typeof native?.matMulF64).toBe('function');
    });

    it('decomposes as the JS path does, reading only the lower triangle', () => {
      const n = 96;
      const a = randomSymmetric(n, 7);
      const poisoned = Float64Array.from(a);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) poisoned[i * n + j] = 1e6;
      const js = symmetricEigenJs(a, n);
      const fast = symmetricEigen(poisoned, n);
      expect(maxAbsDiff(fast.values, js.values)).toBeLessThan(1e-12 * n);
      expect(maxAbsDiff(reconstruct(fast.values, fast.vectors, n), a)).toBeLessThan(1e-11 * n);
      expect(
        maxAbsDiff(matMulSquare(transpose(fast.vectors, n), fast.vectors, n), identity(n)),
      ).toBeLessThan(1e-12 * n);
      expect(maxAbsDiff(symmetricEigenvalues(poisoned, n), js.values)).toBeLessThan(1e-12 * n);
    });

    it('multiplies as the JS loop does', () => {
      const n = 70;
      const a = randomSymmetric(n, 11);
      const b = randomPsd(n, 5, 12);
      expect(maxAbsDiff(matMulSquare(a, b, n), matMulSquareJs(a, b, n))).toBeLessThan(1e-12 * n);
    });

    it("gives the JS path's Tr sqrt(S1 S2) at 64 dimensions", () => {
      const n = 64;
      const s1 = randomPsd(n, 80, 21);
      const s2 = randomPsd(n, 80, 22);
      // The JS reference: eigenvalues of sqrt(S1) S2 sqrt(S1), all in JS loops.
      const js = symmetricEigenJs(s1, n);
      const root = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let v = 0;
          for (let k = 0; k < n; k++)
            v +=
              (js.vectors[i * n + k] as number) *
              Math.sqrt(Math.max(js.values[k] as number, 0)) *
              (js.vectors[j * n + k] as number);
          root[i * n + j] = v;
        }
      const m = matMulSquareJs(matMulSquareJs(root, s2, n), root, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++) {
          const v = ((m[i * n + j] as number) + (m[j * n + i] as number)) / 2;
          m[i * n + j] = v;
          m[j * n + i] = v;
        }
      const expected = symmetricEigenJs(m, n).values.reduce(
        (t, l) => t + Math.sqrt(Math.max(l, 0)),
        0,
      );
      expect(traceSqrtProduct(s1, s2, n)).toBeCloseTo(expected, 8);
    });
  },
);

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
