/**
 * The one in-memory dataset type every loader returns: all samples in one Float32Array, labels in
 * an Int32Array, and tensor batches created on demand through the active TF.js backend.
 */
import * as tf from '@tensorflow/tfjs';
import { DatasetError } from './errors.js';
import { unitToByte } from './pixels.js';
import { shuffledIndices } from './prng.js';

/** Which part of a set: the official split for MNIST-like sets, a stable hash holdout otherwise. */
export type Split = 'train' | 'test';

/** Shape of one image sample, height x width x channels (HWC). */
export type ImageShape = readonly [height: number, width: number, channels: number];

/** Shape of one point sample of a toy set: its dimension. */
export type PointShape = readonly [dims: number];

/** Tensor type of a batch of samples: `[n, h, w, c]` images or `[n, d]` points. */
export type SampleTensor = tf.Tensor4D | tf.Tensor2D;

/**
 * One batch of samples. The caller owns both tensors and must dispose them
 * (`tf.dispose(batch)` disposes both at once: a type alias, unlike an interface, is a
 * `tf.TensorContainer`).
 */
export type Batch<T extends SampleTensor = SampleTensor> = {
  /** float32 samples, images in [-1, 1] HWC. */
  images: T;
  /** int32 class indices into `classNames` (0 for every sample of an unlabelled set). */
  labels: tf.Tensor1D;
};

/** Options for {@link Dataset.batches}. */
export interface BatchOptions {
  /** Shuffle with this seed (same seed, same order). Omit to iterate in stored order. */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (GAN training wants equal batches). */
  dropRemainder?: boolean;
}

/** One sample as bytes, ready for a PNG encoder. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * A labelled set of samples held in memory.
 *
 * Images are stored HWC in [-1, 1] (the tanh range GAN generators output); toy point sets keep
 * their native coordinates. `T` is the tensor type a batch yields.
 */
export interface Dataset<T extends SampleTensor = SampleTensor> {
  /** Human-readable name, e.g. `mnist` or `folder:/data/faces`. */
  readonly name: string;
  /** Train or test part. */
  readonly split: Split;
  /** Shape of one sample: `[h, w, c]` for images, `[2]` for toy points. */
  readonly shape: readonly number[];
  /** Class names; `labels` index into this. Empty when the set is unlabelled. */
  readonly classNames: readonly string[];
  /** Number of samples. */
  readonly size: number;
  /** All samples back to back, `size * prod(shape)` floats. Treat as read-only. */
  readonly data: Float32Array;
  /** One class index per sample. Treat as read-only. */
  readonly labels: Int32Array;
  /**
   * Iterate over the whole set in batches, shuffled when `options.seed` is given.
   * Tensors are created lazily per batch; the caller must dispose each yielded batch.
   */
  batches(batchSize: number, options?: BatchOptions): Generator<Batch<T>, void, undefined>;
  /** The samples at `indices` as one batch (caller disposes). */
  batch(indices: ArrayLike<number>): Batch<T>;
  /** A dataset of the first `n` samples (no copy: views on the same arrays). */
  take(n: number): Dataset<T>;
  /** Sample `i` as bytes, for saving as PNG. Only for image sets. */
  toUint8Image(i: number): RawImage;
}

/** A dataset of images: batches are `[n, h, w, c]`. */
export interface ImageDataset extends Dataset<tf.Tensor4D> {
  readonly shape: ImageShape;
  take(n: number): ImageDataset;
}

/** A dataset of points (the 2-D toy mixtures): batches are `[n, d]`. */
export interface PointDataset extends Dataset<tf.Tensor2D> {
  readonly shape: PointShape;
  take(n: number): PointDataset;
}

/** Fields needed to build an {@link InMemoryDataset}. */
export interface InMemoryDatasetInit<S extends readonly number[]> {
  name: string;
  split: Split;
  shape: S;
  classNames: readonly string[];
  data: Float32Array;
  labels: Int32Array;
}

function checkPositiveInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new DatasetError(`${field} must be a positive integer, got ${value}`, { field });
  }
}

/**
 * The {@link Dataset} implementation every loader uses. Construct it directly to wrap your own
 * arrays (`data.length` must equal `labels.length * prod(shape)`).
 */
export class InMemoryDataset<
  T extends SampleTensor,
  S extends readonly number[],
> implements Dataset<T> {
  readonly name: string;
  readonly split: Split;
  readonly shape: S;
  readonly classNames: readonly string[];
  readonly data: Float32Array;
  readonly labels: Int32Array;
  /** Floats per sample, `prod(shape)`. */
  readonly sampleLength: number;

  constructor(init: InMemoryDatasetInit<S>) {
    if (init.shape.length === 0)
      throw new DatasetError('shape must not be empty', { field: 'shape' });
    init.shape.forEach((d, i) => checkPositiveInteger(d, `shape[${i}]`));
    this.sampleLength = init.shape.reduce((a, b) => a * b, 1);
    if (init.data.length !== init.labels.length * this.sampleLength) {
      throw new DatasetError(
        `data holds ${init.data.length} floats but ${init.labels.length} samples of shape ` +
          `[${init.shape.join(', ')}] need ${init.labels.length * this.sampleLength}`,
        { field: 'data' },
      );
    }
    this.name = init.name;
    this.split = init.split;
    this.shape = init.shape;
    this.classNames = init.classNames;
    this.data = init.data;
    this.labels = init.labels;
  }

  get size(): number {
    return this.labels.length;
  }

  batches(batchSize: number, options: BatchOptions = {}): Generator<Batch<T>, void, undefined> {
    // Checked here, not inside the generator, so bad arguments throw at the call site.
    checkPositiveInteger(batchSize, 'batchSize');
    if (options.seed !== undefined && !Number.isFinite(options.seed)) {
      throw new DatasetError(`seed must be a finite number, got ${options.seed}`, {
        field: 'seed',
      });
    }
    const order = options.seed === undefined ? undefined : shuffledIndices(this.size, options.seed);
    const end = options.dropRemainder ? this.size - (this.size % batchSize) : this.size;
    return this.iterateBatches(batchSize, end, order);
  }

  private *iterateBatches(
    batchSize: number,
    end: number,
    order: Int32Array | undefined,
  ): Generator<Batch<T>, void, undefined> {
    for (let start = 0; start < end; start += batchSize) {
      const stop = Math.min(start + batchSize, end);
      if (order) {
        yield this.batch(order.subarray(start, stop));
      } else {
        // Stored order: a contiguous range, copied with one `slice`.
        yield this.makeBatch(
          this.data.slice(start * this.sampleLength, stop * this.sampleLength),
          this.labels.slice(start, stop),
        );
      }
    }
  }

  batch(indices: ArrayLike<number>): Batch<T> {
    const n = indices.length;
    const images = new Float32Array(n * this.sampleLength);
    const labels = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = indices[k]!;
      this.checkIndex(i);
      images.set(
        this.data.subarray(i * this.sampleLength, (i + 1) * this.sampleLength),
        k * this.sampleLength,
      );
      labels[k] = this.labels[i]!;
    }
    return this.makeBatch(images, labels);
  }

  take(n: number): InMemoryDataset<T, S> {
    if (!Number.isInteger(n) || n < 0) {
      throw new DatasetError(`take(n): n must be a non-negative integer, got ${n}`, { field: 'n' });
    }
    const count = Math.min(n, this.size);
    return new InMemoryDataset<T, S>({
      name: this.name,
      split: this.split,
      shape: this.shape,
      classNames: this.classNames,
      data: this.data.subarray(0, count * this.sampleLength),
      labels: this.labels.subarray(0, count),
    });
  }

  toUint8Image(i: number): RawImage {
    if (this.shape.length !== 3) {
      throw new DatasetError(
        `${this.name} holds points of shape [${this.shape.join(', ')}], not images`,
      );
    }
    this.checkIndex(i);
    const [height, width, channels] = this.shape as unknown as ImageShape;
    const bytes = new Uint8Array(this.sampleLength);
    const offset = i * this.sampleLength;
    for (let k = 0; k < bytes.length; k++) bytes[k] = unitToByte(this.data[offset + k]!);
    return { data: bytes, width, height, channels };
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new DatasetError(`index ${i} is out of range for ${this.name} (size ${this.size})`, {
        field: 'indices',
      });
    }
  }

  private makeBatch(images: Float32Array, labels: Int32Array): Batch<T> {
    const n = labels.length;
    return {
      images: tf.tensor<tf.Rank>(images, [n, ...this.shape], 'float32') as T,
      labels: tf.tensor1d(labels, 'int32'),
    };
  }
}

/** Wrap arrays as an {@link ImageDataset}. */
export function imageDataset(init: InMemoryDatasetInit<ImageShape>): ImageDataset {
  return new InMemoryDataset<tf.Tensor4D, ImageShape>(init);
}

/** Wrap arrays as a {@link PointDataset}. */
export function pointDataset(init: InMemoryDatasetInit<PointShape>): PointDataset {
  return new InMemoryDataset<tf.Tensor2D, PointShape>(init);
}
