/**
 * What the trainer needs from an image set or a 2-D point set, and in-memory implementations with
 * seeded shuffling.
 * Batch `i` is a pure function of (seed, i, batch size), so a resumed run reads exactly the batches
 * the uninterrupted run would have read, with no data-loader state to checkpoint.
 */
import * as tf from '@tensorflow/tfjs';

import { shuffledIndices, type Dataset } from '@ganmod/datasets';

import { ModelShapeError, type ImageShape, type PointShape } from '../models/shapes.js';
import { CounterRng } from './prng.js';

/** One batch: images NHWC in [-1, 1] and, for labelled sets, integer class ids. */
export interface ImageBatch {
  images: tf.Tensor4D;
  labels: Int32Array | null;
}

/** A source of training batches in a reproducible order. */
export interface TrainingImages {
  /** `[height, width, channels]` of every image. */
  readonly shape: ImageShape;
  /** Number of images. */
  readonly size: number;
  /** Number of classes; 0 when the set has no labels. */
  readonly numClasses: number;
  /** The `index`-th batch of `batchSize` images in this source's seeded order. The caller disposes `images`. */
  batch(index: number, batchSize: number): ImageBatch;
  /**
   * The images at dataset positions `indices` (0..size-1, storage order). Private training draws
   * Poisson samples through it; sources without it cannot train privately.
   */
  examples?(indices: Int32Array): ImageBatch;
  /**
   * The same images in the same order with `labels` (one per image) in place of the set's own:
   * the clusters a self-conditioned run trains on. Sources without it cannot self-condition.
   */
  relabel?(labels: Int32Array, numClasses: number): TrainingImages;
}

/** One batch of points `[n, dims]` in their native coordinates, with their mode labels if known. */
export interface PointBatch {
  points: tf.Tensor2D;
  labels: Int32Array | null;
}

/** A source of training points (toy 2-D datasets) in a reproducible order. */
export interface TrainingPoints {
  /** `[dims]` of every point: `[2]`. */
  readonly shape: PointShape;
  /** Number of points. */
  readonly size: number;
  /** Number of mixture modes the labels index; 0 when unlabelled. Toy models ignore labels. */
  readonly numClasses: number;
  /** The `index`-th batch of `batchSize` points in this source's seeded order. The caller disposes `points`. */
  batch(index: number, batchSize: number): PointBatch;
  /** The points at dataset positions `indices`, as {@link TrainingImages.examples}. */
  examples?(indices: Int32Array): PointBatch;
}

/** What `train()` reads batches from: images for the image models, points for `toy-mlp`. */
export type TrainingData = TrainingImages | TrainingPoints;

/** True when `data` yields points (`shape` `[dims]`) rather than images. */
export function isTrainingPoints(data: TrainingData): data is TrainingPoints {
  return data.shape.length === 1;
}

export interface InMemoryImagesOptions {
  /**
   * Pixels of all images, NHWC, concatenated: `Uint8Array` in [0, 255] or `Float32Array` already
   * in [-1, 1].
   */
  pixels: Uint8Array | Float32Array;
  shape: ImageShape;
  /** Integer class ids, one per image. */
  labels?: ArrayLike<number>;
  /** Defaults to max(label) + 1 when labels are given. */
  numClasses?: number;
  /** Seed of the shuffling; epoch e is shuffled with a PRNG derived from (seed, e). */
  seed?: number;
}

/** The datasets package's seeded permutation, with a fresh seed per epoch derived from (seed, epoch). */
function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  return shuffledIndices(n, new CounterRng(seed, epoch).nextUint32());
}

/** Wraps images held in memory; each epoch is a fresh seeded permutation, batches may span epochs. */
export function inMemoryImages(options: InMemoryImagesOptions): TrainingImages {
  const { pixels, shape } = options;
  const imageSize = shape[0] * shape[1] * shape[2];
  if (imageSize <= 0 || pixels.length === 0 || pixels.length % imageSize !== 0) {
    throw new RangeError(
      `pixels has ${pixels.length} values, not a positive multiple of one ${shape.join('x')} image (${imageSize})`,
    );
  }
  const source = inMemorySamples(options, imageSize);
  return {
    shape,
    size: source.size,
    numClasses: source.numClasses,
    batch(index, batchSize) {
      const { data, labels } = source.batch(index, batchSize);
      return { images: tf.tensor4d(data, [batchSize, ...shape]), labels };
    },
    examples(indices) {
      const { data, labels } = source.examples(indices);
      return { images: tf.tensor4d(data, [indices.length, ...shape]), labels };
    },
    relabel: (labels, numClasses) => inMemoryImages({ ...options, labels, numClasses }),
  };
}

export interface InMemoryPointsOptions {
  /** Coordinates of all points, `x, y` pairs back to back, used as they are (no rescaling). */
  points: Float32Array;
  /** Defaults to `[2]`. */
  shape?: PointShape;
  /** Mode index of each point (a toy mixture's labels). */
  labels?: ArrayLike<number>;
  /** Defaults to max(label) + 1 when labels are given. */
  numClasses?: number;
  /** Seed of the shuffling, as for {@link inMemoryImages}. */
  seed?: number;
}

/** Wraps points held in memory; each epoch is a fresh seeded permutation, batches may span epochs. */
export function inMemoryPoints(options: InMemoryPointsOptions): TrainingPoints {
  const shape = options.shape ?? ([2] as const);
  const [dims] = shape;
  if (!Number.isInteger(dims) || dims < 1) {
    throw new RangeError(`a point shape is [dims] with dims >= 1, got [${shape.join(', ')}]`);
  }
  const { points } = options;
  if (points.length === 0 || points.length % dims !== 0) {
    throw new RangeError(
      `points has ${points.length} values, not a positive multiple of one ${dims}-D point`,
    );
  }
  const source = inMemorySamples({ ...options, pixels: points }, dims);
  return {
    shape,
    size: source.size,
    numClasses: source.numClasses,
    batch(index, batchSize) {
      const { data, labels } = source.batch(index, batchSize);
      return { points: tf.tensor2d(data, [batchSize, dims]), labels };
    },
    examples(indices) {
      const { data, labels } = source.examples(indices);
      return { points: tf.tensor2d(data, [indices.length, dims]), labels };
    },
  };
}

/** The shuffled, epoch-spanning batch order shared by images and points, on flat float data. */
function inMemorySamples(
  options: {
    pixels: Uint8Array | Float32Array;
    labels?: ArrayLike<number>;
    numClasses?: number;
    seed?: number;
  },
  sampleSize: number,
): {
  size: number;
  numClasses: number;
  batch(index: number, batchSize: number): { data: Float32Array; labels: Int32Array | null };
  examples(indices: Int32Array): { data: Float32Array; labels: Int32Array | null };
} {
  const { pixels } = options;
  const size = pixels.length / sampleSize;
  const labels = options.labels === undefined ? null : Int32Array.from(options.labels);
  if (labels !== null && labels.length !== size) {
    throw new RangeError(`labels has ${labels.length} entries for ${size} samples`);
  }
  let numClasses = options.numClasses ?? 0;
  if (labels !== null) {
    const maxLabel = labels.reduce((m, l) => Math.max(m, l), -1);
    if (labels.some((l) => l < 0)) throw new RangeError('labels must be non-negative class ids');
    if (options.numClasses === undefined) numClasses = maxLabel + 1;
    else if (maxLabel >= options.numClasses) {
      throw new RangeError(
        `label ${maxLabel} is out of range for numClasses ${options.numClasses}`,
      );
    }
  }
  const seed = options.seed ?? 0;
  const scale = pixels instanceof Uint8Array ? (v: number) => v / 127.5 - 1 : (v: number) => v;
  let cached: { epoch: number; order: Int32Array } | null = null;
  const orderOf = (epoch: number): Int32Array => {
    if (cached?.epoch !== epoch) cached = { epoch, order: epochOrder(size, seed, epoch) };
    return cached.order;
  };

  /** Copies the samples at storage positions `at(k)`, k < n, scaled to floats. */
  const gather = (n: number, at: (k: number) => number) => {
    const data = new Float32Array(n * sampleSize);
    const batchLabels = labels === null ? null : new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const sample = at(k);
      const start = sample * sampleSize;
      for (let p = 0; p < sampleSize; p++)
        data[k * sampleSize + p] = scale(pixels[start + p] as number);
      if (batchLabels !== null && labels !== null) batchLabels[k] = labels[sample] as number;
    }
    return { data, labels: batchLabels };
  };

  return {
    size,
    numClasses,
    batch(index, batchSize) {
      if (!Number.isInteger(index) || index < 0)
        throw new RangeError(`batch index must be >= 0, got ${index}`);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new RangeError(`batchSize must be >= 1, got ${batchSize}`);
      return gather(batchSize, (k) => {
        const position = index * batchSize + k;
        return orderOf(Math.floor(position / size))[position % size] as number;
      });
    },
    examples(indices) {
      for (const i of indices)
        if (!Number.isInteger(i) || i < 0 || i >= size)
          throw new RangeError(`example index ${i} is outside 0..${size - 1}`);
      return gather(indices.length, (k) => indices[k] as number);
    },
  };
}

/**
 * Adapts a `@ganmod/datasets` image dataset (samples already in [-1, 1]) for training, shuffled
 * with `seed` (use the run's config seed).
 */
export function trainingImagesFromDataset(dataset: Dataset, seed: number): TrainingImages {
  const [h, w, c] = dataset.shape;
  if (dataset.shape.length !== 3 || h === undefined || w === undefined || c === undefined) {
    throw new ModelShapeError(
      `${dataset.name} holds samples of shape [${dataset.shape.join(', ')}], not images: use trainingDataFromDataset, which also takes 2-D point sets`,
    );
  }
  return inMemoryImages({
    pixels: dataset.data,
    shape: [h, w, c],
    ...(dataset.classNames.length > 0
      ? { labels: dataset.labels, numClasses: dataset.classNames.length }
      : {}),
    seed,
  });
}

/**
 * Adapts any `@ganmod/datasets` dataset for training, shuffled with `seed` (use the run's config
 * seed): images (`[h, w, c]`) as for {@link trainingImagesFromDataset}, and 2-D point sets such as
 * the toy mixtures (`[2]`, native coordinates, mode labels kept) for model `toy-mlp`.
 */
export function trainingDataFromDataset(dataset: Dataset, seed: number): TrainingData {
  const [dims] = dataset.shape;
  if (dataset.shape.length !== 1 || dims === undefined) {
    return trainingImagesFromDataset(dataset, seed);
  }
  return inMemoryPoints({
    points: dataset.data,
    shape: [dims],
    ...(dataset.classNames.length > 0
      ? { labels: dataset.labels, numClasses: dataset.classNames.length }
      : {}),
    seed,
  });
}
