/**
 * Unsupervised clusters of a training set: the "classes" a self-conditioned GAN is conditioned on
 * (Liu et al. 2020, "Diverse Image Generation via Self-Conditioned GANs"). Plain JavaScript in
 * float64, so the same (images, k, seed) give the same clusters on every backend and thread count:
 * a resumed run recomputes exactly the clusters it started with instead of storing them.
 */
import { shuffledIndices } from '@ganmod/datasets';

import { requestedClusters, type TrainConfig } from '../config.js';
import type { TrainingImages } from './data.js';
import { CounterRng } from './prng.js';

/** The result of {@link kMeans}. */
export interface Clustering {
  /** Cluster id of every sample. */
  assignments: Int32Array;
  /** Number of samples in every cluster (none is empty). */
  sizes: Int32Array;
  /** Lloyd iterations run. */
  iterations: number;
}

/**
 * Squared distance from row `row` of `data` to centre `c`, summed in order; once it reaches
 * `bound` the rest is skipped and a value >= `bound` is returned (enough to rule the centre out).
 */
function squaredDistance(
  data: Float32Array,
  row: number,
  centres: Float64Array,
  c: number,
  dims: number,
  bound = Infinity,
): number {
  const start = row * dims;
  const offset = c * dims;
  let d = 0;
  for (let j = 0; j < dims; j++) {
    const diff = (data[start + j] as number) - (centres[offset + j] as number);
    d += diff * diff;
    if (d >= bound) break;
  }
  return d;
}

/** Index of the centre nearest to row `row` of `data`, and its squared distance. */
function nearestCentre(
  data: Float32Array,
  row: number,
  dims: number,
  centres: Float64Array,
  k: number,
): [number, number] {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const d = squaredDistance(data, row, centres, c, dims, bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return [best, bestDistance];
}

/**
 * Clusters the `count` rows of `data` (`dims` values each) into `k` clusters: k-means++ seeding
 * (Arthur & Vassilvitskii 2007) and Lloyd iterations, fitted on at most `fitRows` rows (a seeded
 * subsample: the centres of 10,000 images are as good as those of 60,000, at a sixth of the cost),
 * then every row assigned to its nearest centre. Stops when fewer than 0.1% of the fitted rows
 * change cluster or after `maxIterations`. An emptied cluster restarts at the row farthest from
 * its centre.
 */
export function kMeans(
  data: Float32Array,
  count: number,
  dims: number,
  k: number,
  seed: number,
  { fitRows = 10_000, maxIterations = 50 }: { fitRows?: number; maxIterations?: number } = {},
): Clustering {
  if (!Number.isInteger(k) || k < 2 || k > count)
    throw new RangeError(`k-means needs 2 <= k <= ${count} samples, got k = ${k}`);
  if (data.length !== count * dims)
    throw new RangeError(`data holds ${data.length} values, not ${count} rows of ${dims}`);
  const rng = new CounterRng(seed >>> 0, 0x6b6d);
  const fit =
    count <= fitRows
      ? Int32Array.from({ length: count }, (_, i) => i)
      : shuffledIndices(count, rng.nextUint32()).subarray(0, fitRows);
  const n = fit.length;
  const centres = new Float64Array(k * dims);
  const setCentre = (c: number, row: number): void => {
    for (let j = 0; j < dims; j++) centres[c * dims + j] = data[row * dims + j] as number;
  };

  // k-means++: each next centre is a fitted row drawn with probability proportional to D(x)^2.
  setCentre(0, fit[rng.nextInt(n)] as number);
  const minDistance = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = squaredDistance(data, fit[i] as number, centres, c - 1, dims);
      if (d < (minDistance[i] as number)) minDistance[i] = d;
      total += minDistance[i] as number;
    }
    let target = rng.nextFloat() * total;
    let chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= minDistance[i] as number;
      if (target < 0) {
        chosen = i;
        break;
      }
    }
    setCentre(c, fit[chosen] as number);
  }

  // Lloyd iterations on the fitted rows.
  const fitted = new Int32Array(n).fill(-1);
  const distance = new Float64Array(n);
  const sums = new Float64Array(k * dims);
  const sizes = new Int32Array(k);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    let changed = 0;
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const row = fit[i] as number;
      const [c, d] = nearestCentre(data, row, dims, centres, k);
      if (c !== fitted[i]) changed++;
      fitted[i] = c;
      distance[i] = d;
      sizes[c] = (sizes[c] as number) + 1;
      for (let j = 0; j < dims; j++)
        sums[c * dims + j] = (sums[c * dims + j] as number) + (data[row * dims + j] as number);
    }
    let emptied = false;
    for (let c = 0; c < k; c++) {
      const size = sizes[c] as number;
      if (size === 0) {
        emptied = true;
        let farthest = 0;
        for (let i = 1; i < n; i++)
          if ((distance[i] as number) > (distance[farthest] as number)) farthest = i;
        distance[farthest] = -1;
        setCentre(c, fit[farthest] as number);
        continue;
      }
      for (let j = 0; j < dims; j++) centres[c * dims + j] = (sums[c * dims + j] as number) / size;
    }
    if (!emptied && changed < n / 1000) break;
  }

  // Every row to its nearest centre.
  const assignments = new Int32Array(count);
  sizes.fill(0);
  for (let row = 0; row < count; row++) {
    const [c] = nearestCentre(data, row, dims, centres, k);
    assignments[row] = c;
    sizes[c] = (sizes[c] as number) + 1;
  }
  return { assignments, sizes, iterations };
}

/** Values per image the clustering sees: images are average-pooled until they fit. */
const maxClusterDims = 256;
/** Images read at a time while pooling. */
const readChunk = 2048;

/**
 * The images of `data` average-pooled by the smallest integer factor that leaves at most 256
 * values per image (MNIST's 28x28 -> 14x14; 64x64 RGB -> 8x8x3), shifted to [0, 2] and scaled to
 * unit length: what k-means compares. Pooling keeps the layout that tells a "1" from an "8" and
 * drops the stroke detail that splits one digit into many clusters.
 */
export function pooledImages(data: TrainingImages): { values: Float32Array; dims: number } {
  if (data.examples === undefined)
    throw new RangeError(
      'self-conditioning clusters the images, and this data source cannot read them by index',
    );
  const [h, w, channels] = data.shape;
  let factor = 1;
  while (Math.ceil(h / factor) * Math.ceil(w / factor) * channels > maxClusterDims) factor++;
  const ph = Math.ceil(h / factor);
  const pw = Math.ceil(w / factor);
  const dims = ph * pw * channels;
  const values = new Float32Array(data.size * dims);
  for (let start = 0; start < data.size; start += readChunk) {
    const count = Math.min(readChunk, data.size - start);
    const { images } = data.examples(Int32Array.from({ length: count }, (_, i) => start + i));
    const pixels = images.dataSync();
    images.dispose();
    for (let i = 0; i < count; i++) {
      const out = (start + i) * dims;
      for (let y = 0; y < ph; y++)
        for (let x = 0; x < pw; x++)
          for (let ch = 0; ch < channels; ch++) {
            let sum = 0;
            let cells = 0;
            for (let dy = 0; dy < factor && y * factor + dy < h; dy++)
              for (let dx = 0; dx < factor && x * factor + dx < w; dx++) {
                sum += pixels[
                  ((i * h + y * factor + dy) * w + x * factor + dx) * channels + ch
                ] as number;
                cells++;
              }
            values[out + (y * pw + x) * channels + ch] = sum / cells + 1;
          }
      // Unit length: stroke weight and brightness no longer split one shape into clusters (MNIST,
      // k = 30: 80% of a cluster is one digit, against 76% unscaled).
      let norm = 0;
      for (let j = 0; j < dims; j++) norm += (values[out + j] as number) ** 2;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < dims; j++) values[out + j] = (values[out + j] as number) * scale;
    }
  }
  return { values, dims };
}

/** Images per cluster below which a set gets fewer clusters than asked for. */
export const minImagesPerCluster = 50;

/** What {@link selfConditioningData} found. */
export interface SelfConditioning {
  /** The training images labelled with their clusters. */
  data: TrainingImages;
  /** Number of clusters. */
  numClasses: number;
  /** Images in each cluster: the share G draws each cluster with. */
  sizes: number[];
  /** Wall seconds spent clustering. */
  seconds: number;
}

/**
 * The clusters a self-conditioned dcgan run trains on: `requestedClusters(config)`, capped at one
 * per {@link minImagesPerCluster} images, found by k-means on the pooled images with the run's
 * seed; null when the run does not self-condition (another model, clusters 0, or fewer than 100
 * images). Deterministic: a resumed run gets the clusters it started with.
 */
export function selfConditioningData(
  config: Pick<TrainConfig, 'model' | 'clusters' | 'privacy' | 'seed'>,
  data: TrainingImages,
): SelfConditioning | null {
  const k = Math.min(requestedClusters(config), Math.floor(data.size / minImagesPerCluster));
  if (k < 2) return null;
  if (data.relabel === undefined)
    throw new RangeError(
      'self-conditioning relabels the training images with their clusters, and this data source cannot (use inMemoryImages, or clusters: 0)',
    );
  const started = performance.now();
  const { values, dims } = pooledImages(data);
  const { assignments, sizes } = kMeans(values, data.size, dims, k, config.seed);
  return {
    data: data.relabel(assignments, k),
    numClasses: k,
    sizes: Array.from(sizes),
    seconds: (performance.now() - started) / 1000,
  };
}
