import * as tf from '@tensorflow/tfjs';
import type { FeatureMatrix } from './stats/matrix.js';

/** Block sizes of the distance computation: `queryBlock x referenceBlock` distances at a time. */
export interface DistanceBlockOptions {
  /** Query rows per block (default 1024). */
  readonly queryBlock?: number;
  /** Reference rows per block (default 4096). */
  readonly referenceBlock?: number;
}

/**
 * Calls `visit` with every block of squared Euclidean distances between the rows of `query` and
 * `reference`: `d2[i * refCount + j]` is the distance between query row `queryStart + i` and
 * reference row `refStart + j`. Distances are ||q||^2 + ||r||^2 - 2 q.r with the product on the
 * active TF.js backend (a matmul, the only O(n m d) part), clamped at 0 against float32
 * cancellation. The reference block is transposed in JS, not by TF.js: a transposed matmul is ~20x
 * slower on wasm.
 */
export async function forEachDistanceBlock(
  query: FeatureMatrix,
  reference: FeatureMatrix,
  visit: (
    queryStart: number,
    queryCount: number,
    refStart: number,
    refCount: number,
    d2: Float32Array,
  ) => void,
  options: DistanceBlockOptions = {},
): Promise<void> {
  if (query.cols !== reference.cols) {
    throw new RangeError(`distances: dims differ (${query.cols} vs ${reference.cols})`);
  }
  const d = query.cols;
  const qb = options.queryBlock ?? 1024;
  const rb = options.referenceBlock ?? 4096;
  const queryNorms = rowNorms(query);
  for (let r0 = 0; r0 < reference.rows; r0 += rb) {
    const rc = Math.min(rb, reference.rows - r0);
    const refT = new Float32Array(d * rc);
    const refNorms = new Float32Array(rc);
    for (let j = 0; j < rc; j++) {
      const o = (r0 + j) * d;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const v = reference.data[o + k] as number;
        refT[k * rc + j] = v;
        s += v * v;
      }
      refNorms[j] = s;
    }
    const [refTensor, refNormTensor] = [tf.tensor2d(refT, [d, rc]), tf.tensor2d(refNorms, [1, rc])];
    try {
      for (let q0 = 0; q0 < query.rows; q0 += qb) {
        const qc = Math.min(qb, query.rows - q0);
        const d2 = tf.tidy(() => {
          const q = tf.tensor2d(toFloat32(query.data.subarray(q0 * d, (q0 + qc) * d)), [qc, d]);
          const qn = tf.tensor2d(queryNorms.subarray(q0, q0 + qc), [qc, 1]);
          return tf.relu(tf.sub(tf.add(qn, refNormTensor), tf.mul(tf.matMul(q, refTensor), 2)));
        });
        try {
          visit(q0, qc, r0, rc, await d2.data<'float32'>());
        } finally {
          d2.dispose();
        }
      }
    } finally {
      tf.dispose([refTensor, refNormTensor]);
    }
  }
}

function toFloat32(a: Float32Array | Float64Array): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

function rowNorms(m: FeatureMatrix): Float32Array {
  const out = new Float32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let k = 0; k < m.cols; k++) s += (m.data[i * m.cols + k] as number) ** 2;
    out[i] = s;
  }
  return out;
}

/** The k nearest reference rows of every query row. */
export interface NearestNeighbors {
  readonly k: number;
  /** Reference row indices, row-major `queries x k`, nearest first. */
  readonly indices: Int32Array;
  /** Euclidean distances matching `indices`. */
  readonly distances: Float64Array;
}

/**
 * The `k` nearest rows of `reference` for each row of `query` (brute force, blocked). With
 * `excludeSelf`, query row i never matches reference row i (for neighbours within one set).
 */
export async function kNearestNeighbors(
  query: FeatureMatrix,
  reference: FeatureMatrix,
  k: number,
  options: DistanceBlockOptions & { readonly excludeSelf?: boolean } = {},
): Promise<NearestNeighbors> {
  const available = reference.rows - (options.excludeSelf === true ? 1 : 0);
  if (!Number.isInteger(k) || k < 1 || k > available) {
    throw new RangeError(`kNearestNeighbors: k=${k} with ${reference.rows} reference rows`);
  }
  const n = query.rows;
  const best = new Float64Array(n * k).fill(Infinity); // squared, ascending per row
  const indices = new Int32Array(n * k).fill(-1);
  await forEachDistanceBlock(
    query,
    reference,
    (q0, qc, r0, rc, d2) => {
      for (let i = 0; i < qc; i++) {
        const qi = q0 + i;
        const o = qi * k;
        const row = i * rc;
        for (let j = 0; j < rc; j++) {
          const v = d2[row + j] as number;
          if (v >= (best[o + k - 1] as number)) continue;
          if (options.excludeSelf === true && r0 + j === qi) continue;
          // Insertion into the sorted top-k of this row.
          let p = k - 1;
          while (p > 0 && (best[o + p - 1] as number) > v) {
            best[o + p] = best[o + p - 1] as number;
            indices[o + p] = indices[o + p - 1] as number;
            p--;
          }
          best[o + p] = v;
          indices[o + p] = r0 + j;
        }
      }
    },
    options,
  );
  refineExact(query, reference, k, best, indices);
  return { k, indices, distances: best.map(Math.sqrt) };
}

/**
 * Recomputes the kept distances exactly (float64, direct differences) and re-sorts each row: the
 * matmul form loses ~1e-7 * ||x||^2 to float32 cancellation, enough to blur an exact copy (0) into a
 * small positive distance in pixel space. The candidates themselves are reliable, being chosen
 * among all rows by distances with that small error.
 */
function refineExact(
  query: FeatureMatrix,
  reference: FeatureMatrix,
  k: number,
  best: Float64Array,
  indices: Int32Array,
): void {
  const d = query.cols;
  const order = Array.from({ length: k }, (_, i) => i);
  const dist = new Float64Array(k);
  const idx = new Int32Array(k);
  for (let i = 0; i < query.rows; i++) {
    const o = i * k;
    for (let p = 0; p < k; p++) {
      const j = indices[o + p] as number;
      idx[p] = j;
      if (j < 0) {
        dist[p] = Infinity;
        continue;
      }
      let s = 0;
      for (let c = 0; c < d; c++) {
        const diff = (query.data[i * d + c] as number) - (reference.data[j * d + c] as number);
        s += diff * diff;
      }
      dist[p] = s;
    }
    order.sort(
      (x, y) =>
        (dist[x] as number) - (dist[y] as number) || (idx[x] as number) - (idx[y] as number),
    );
    order.forEach((src, p) => {
      best[o + p] = dist[src] as number;
      indices[o + p] = idx[src] as number;
    });
  }
}
