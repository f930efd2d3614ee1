import { loadNativeAddon } from '../../kernels/native/addon.js';

/**
 * A dense row-major matrix of features: one row per sample, one column per feature dimension.
 * Float32 is what TF.js hands back; the statistics convert to Float64 where precision matters.
 */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/**
 * Wraps a flat row-major buffer as a {@link FeatureMatrix}, checking that its length fits.
 * @throws RangeError when `data.length !== rows * cols` or a dimension is not a non-negative integer.
 */
export function featureMatrix(
  data: Float32Array | Float64Array,
  rows: number,
  cols: number,
): FeatureMatrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`featureMatrix: invalid shape ${rows}x${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `featureMatrix: buffer of ${data.length} values does not hold ${rows}x${cols}`,
    );
  }
  return { rows, cols, data };
}

/** Builds a {@link FeatureMatrix} from nested arrays (mostly for tests and small inputs). */
export function featureMatrixFromRows(rows: readonly (readonly number[])[]): FeatureMatrix {
  const cols = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError('featureMatrixFromRows: ragged rows');
    data.set(row, i * cols);
  });
  return { rows: rows.length, cols, data };
}

/** Copies the given rows (by index) into a new Float64 matrix. */
export function selectRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const out = new Float64Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] as number;
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}

/** Below this size a call into BLAS or LAPACK gains nothing over the JS loops. */
export const NATIVE_MIN_DIM = 32;

/**
 * Product of two square n x n row-major matrices: BLAS dgemm in gan-core's addon where it is
 * built (n >= 32), else {@link matMulSquareJs}.
 */
export function matMulSquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const addon = loadNativeAddon().module;
  if (addon?.matMulF64 === undefined || n < NATIVE_MIN_DIM) return matMulSquareJs(a, b, n);
  const out = new Float64Array(n * n);
  addon.matMulF64(a, b, n, out);
  return out;
}

/** {@link matMulSquare} in JS. */
export function matMulSquareJs(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  // i-k-j order keeps the inner loop on contiguous rows of b and out.
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[oi + k] as number;
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++)
        out[oi + j] = (out[oi + j] as number) + aik * (b[bk + j] as number);
    }
  }
  return out;
}

/** Sum of the diagonal of a square n x n matrix. */
export function trace(a: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += a[i * n + i] as number;
  return t;
}

/** Replaces a square matrix by (A + A^T) / 2, removing round-off asymmetry before an eigensolve. */
export function symmetrize(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = ((a[i * n + j] as number) + (a[j * n + i] as number)) / 2;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}
