/**
 * Eigendecomposition of real symmetric matrices: Householder reduction to tridiagonal form,
 * then the implicit QL algorithm (EISPACK tred2/tql2, as in the public-domain JAMA library).
 * O(n^3), backward stable, and accurate enough for the 64-2048 dimensional covariances that the
 * quality metrics need; where gan-core's addon is built, LAPACK's dsyevd does the same faster.
 */
import { loadNativeAddon } from '../../kernels/native/addon.js';
import { NATIVE_MIN_DIM, matMulSquare, symmetrize } from './matrix.js';

/** Result of {@link symmetricEigen}: `vectors` column j (row-major n x n) pairs with `values[j]`. */
export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Orthonormal eigenvectors as the columns of a row-major n x n matrix. */
  readonly vectors: Float64Array;
}

const MAX_QL_ITERATIONS = 100;

/**
 * Eigenvalues and eigenvectors of the symmetric n x n row-major matrix `a` (only its lower
 * triangle is read; `a` is not modified). Through LAPACK's dsyevd in gan-core's addon where it is
 * built (n >= 32; ~100x faster at the 1280 features of a pretrained judge), else
 * {@link symmetricEigenJs}; the two agree to round-off.
 * @throws Error when the QL iteration does not converge (non-finite input).
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  return nativeEigen(a, n, true) ?? symmetricEigenJs(a, n);
}

/** The eigenvalues of {@link symmetricEigen} alone, ascending (LAPACK skips the vectors' work). */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
  return nativeEigen(a, n, false)?.values ?? symmetricEigenJs(a, n).values;
}

/** dsyevd through the addon; undefined where it is not built, for small n, or when it fails. */
function nativeEigen(
  a: ArrayLike<number>,
  n: number,
  vectors: boolean,
): SymmetricEigen | undefined {
  const addon = loadNativeAddon().module;
  if (addon?.symmetricEigen === undefined || n < NATIVE_MIN_DIM) return undefined;
  checkMatrix(a, n);
  const values = new Float64Array(n);
  const out = vectors ? new Float64Array(n * n) : null;
  const matrix = a instanceof Float64Array ? a : Float64Array.from(a);
  const status = addon.symmetricEigen(matrix, n, values, out);
  // A LAPACK failure (it reports no convergence as info > 0) takes the JS path, which throws.
  if (status !== 0) return undefined;
  return { values, vectors: out ?? new Float64Array(0) };
}

function checkMatrix(a: ArrayLike<number>, n: number): void {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} values`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error('symmetricEigen: matrix has non-finite entries');
  }
}

/** {@link symmetricEigen} in JS: Householder tridiagonalization, then implicit QL. */
export function symmetricEigenJs(a: ArrayLike<number>, n: number): SymmetricEigen {
  checkMatrix(a, n);
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: v };
  tridiagonalize(v, d, e, n);
  diagonalize(v, d, e, n);
  return sortAscending(v, d, n);
}

/** Householder reduction (tred2): on return v holds the orthogonal transform, d/e the tridiagonal. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j] as number;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j] as number;
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = (d[k] as number) / scale;
        h += (d[k] as number) * (d[k] as number);
      }
      let f = d[i - 1] as number;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        v[j * n + i] = f;
        g = (e[j] as number) + (v[j * n + j] as number) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += (v[k * n + j] as number) * (d[k] as number);
          e[k] = (e[k] as number) + (v[k * n + j] as number) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = (e[j] as number) / h;
        f += (e[j] as number) * (d[j] as number);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = (e[j] as number) - hh * (d[j] as number);
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        g = e[j] as number;
        for (let k = j; k <= i - 1; k++) {
          v[k * n + j] = (v[k * n + j] as number) - (f * (e[k] as number) + g * (d[k] as number));
        }
        d[j] = v[(i - 1) * n + j] as number;
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i] as number;
    v[i * n + i] = 1;
    const h = d[i + 1] as number;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = (v[k * n + i + 1] as number) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += (v[k * n + i + 1] as number) * (v[k * n + j] as number);
        for (let k = 0; k <= i; k++) v[k * n + j] = (v[k * n + j] as number) - g * (d[k] as number);
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j] as number;
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL with Wilkinson-style shifts (tql2) on the tridiagonal (d, e), rotating v along. */
function diagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m] as number) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITERATIONS) throw new Error('symmetricEigen: QL did not converge');
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const dl1 = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
        f += h;
        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = Math.hypot(p, e[i] as number);
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          for (let k = 0; k < n; k++) {
            const row = k * n;
            const hk = v[row + i + 1] as number;
            const vk = v[row + i] as number;
            v[row + i + 1] = s * vk + c * hk;
            v[row + i] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] as number) > eps * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
}

function sortAscending(v: Float64Array, d: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => (d[x] as number) - (d[y] as number),
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src] as number;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src] as number;
  });
  return { values, vectors };
}

/**
 * Applies a scalar function to a symmetric matrix through its eigendecomposition:
 * V diag(fn(lambda)) V^T.
 */
export function symmetricMatrixFunction(
  eig: SymmetricEigen,
  n: number,
  fn: (lambda: number) => number,
): Float64Array {
  const { values, vectors } = eig;
  const scaled = new Float64Array(n * n); // V diag(fn(lambda))
  for (let j = 0; j < n; j++) {
    const fj = fn(values[j] as number);
    for (let k = 0; k < n; k++) scaled[k * n + j] = (vectors[k * n + j] as number) * fj;
  }
  if (n >= NATIVE_MIN_DIM && loadNativeAddon().module?.matMulF64 !== undefined) {
    const transposed = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) transposed[j * n + i] = vectors[i * n + j] as number;
    return symmetrize(matMulSquare(scaled, transposed, n), n);
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++)
        s += (scaled[i * n + k] as number) * (vectors[j * n + k] as number);
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
