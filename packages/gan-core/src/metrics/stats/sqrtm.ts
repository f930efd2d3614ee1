import { symmetricEigen, symmetricEigenvalues, symmetricMatrixFunction } from './eigen.js';
import { matMulSquare, symmetrize } from './matrix.js';

/**
 * Principal square root of a symmetric positive semi-definite n x n matrix.
 * Eigenvalues that round-off pushed slightly negative are clamped to zero, which is what makes
 * this stable where a general (Schur-based) sqrtm can return complex parts.
 */
export function sqrtmPsd(a: ArrayLike<number>, n: number): Float64Array {
  return symmetricMatrixFunction(symmetricEigen(a, n), n, (l) => Math.sqrt(Math.max(l, 0)));
}

/**
 * Tr(sqrtm(S1 S2)) for symmetric PSD S1, S2.
 * S1 S2 is not symmetric, but it is similar to sqrt(S1) S2 sqrt(S1), which is symmetric PSD and
 * has the same (real, non-negative) eigenvalues; so the trace is the sum of the square roots of
 * that matrix's eigenvalues. Equal to torch-fidelity's `sum(sqrt(eigvals(S1 @ S2)).real)`.
 */
export function traceSqrtProduct(s1: Float64Array, s2: Float64Array, n: number): number {
  const r = sqrtmPsd(s1, n);
  const m = symmetrize(matMulSquare(matMulSquare(r, s2, n), r, n), n);
  const values = symmetricEigenvalues(m, n);
  let t = 0;
  for (const l of values) t += Math.sqrt(Math.max(l, 0));
  return t;
}
