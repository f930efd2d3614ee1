import * as tf from '@tensorflow/tfjs';
import type { MetricDataset } from '../dataset.js';
import { featureMatrix, type FeatureMatrix } from '../stats/matrix.js';
import { extractorInfoSchema, type ExtractorInfo } from './info.js';
import { FEATURE_LAYER } from './model.js';
import { loadLayersModel, readInfo, saveLayersModel } from './storage.js';

/** Penultimate-layer features and class probabilities of the same images, row i = image i. */
export interface Embedding {
  readonly features: FeatureMatrix;
  readonly probabilities: FeatureMatrix;
}

/** Batch size of inference passes; large enough to amortise per-call overhead on wasm. */
export const DEFAULT_INFERENCE_BATCH = 256;

/**
 * A dataset-specific classifier used as the feature network of the quality metrics (the role
 * Inception v3 plays for natural images): `features` are its penultimate-layer activations (FID,
 * KID, precision/recall, memorization audit), `probabilities` its softmax (Inception Score,
 * conditional accuracy). Inference runs in batches inside `tf.tidy`, so any number of images fits.
 */
export class FeatureExtractor {
  /** Where the classifier came from in this process. */
  origin: 'trained' | 'cache' = 'trained';
  private readonly embedder: tf.LayersModel;

  constructor(
    /** The classifier; owned by the extractor from now on (see {@link dispose}). */
    readonly model: tf.LayersModel,
    /** What the classifier was trained on and how well it does. */
    readonly info: ExtractorInfo,
  ) {
    const features = model.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor;
    const probabilities = model.outputs[0];
    if (probabilities === undefined) throw new Error('metric classifier has no output');
    // One pass yields both: a second graph over the same layers (weights are shared).
    this.embedder = tf.model({ inputs: model.inputs, outputs: [features, probabilities] });
  }

  /** Width of the feature vectors. */
  get featureDim(): number {
    return this.info.featureDim;
  }

  /** Features and probabilities of a batch of images `[n, h, w, c]` in [-1, 1]. */
  async embed(images: tf.Tensor4D, batchSize = DEFAULT_INFERENCE_BATCH): Promise<Embedding> {
    this.checkShape(images.shape.slice(1));
    const n = images.shape[0];
    if (n <= batchSize) return this.embedBatches(images, n, batchSize);
    return this.embedArray(await images.data<'float32'>(), n, batchSize);
  }

  /** Penultimate-layer features of `images`. */
  async features(images: tf.Tensor4D, batchSize = DEFAULT_INFERENCE_BATCH): Promise<FeatureMatrix> {
    return (await this.embed(images, batchSize)).features;
  }

  /** Class probabilities of `images` (rows sum to 1). */
  async probabilities(
    images: tf.Tensor4D,
    batchSize = DEFAULT_INFERENCE_BATCH,
  ): Promise<FeatureMatrix> {
    return (await this.embed(images, batchSize)).probabilities;
  }

  /** Embeds `count` images stored back to back in `data` (HWC), batch by batch. */
  async embedArray(
    data: Float32Array,
    count: number,
    batchSize = DEFAULT_INFERENCE_BATCH,
  ): Promise<Embedding> {
    const [h, w, c] = this.info.shape;
    if (data.length !== count * h * w * c) {
      throw new RangeError(
        `embedArray: ${data.length} floats is not ${count} images of ${h}x${w}x${c}`,
      );
    }
    return this.embedBatches(data, count, batchSize);
  }

  /** Embeds the first `count` (default all) samples of a dataset. */
  async embedDataset(
    dataset: MetricDataset,
    count = dataset.size,
    batchSize = DEFAULT_INFERENCE_BATCH,
  ): Promise<Embedding> {
    this.checkShape(dataset.shape);
    const n = Math.min(count, dataset.size);
    const len = this.info.shape[0] * this.info.shape[1] * this.info.shape[2];
    return this.embedArray(dataset.data.subarray(0, n * len), n, batchSize);
  }

  /** Top-1 accuracy of the classifier on the labelled `dataset`. */
  async accuracy(dataset: MetricDataset): Promise<number> {
    const { probabilities } = await this.embedDataset(dataset);
    return top1Accuracy(probabilities, dataset.labels);
  }

  /** Saves the classifier (TF.js Layers format) and its metadata into `dir`. */
  async save(dir: string): Promise<void> {
    await saveLayersModel(this.model, this.info, dir);
  }

  /** Loads an extractor saved by {@link save}; undefined when `dir` holds none. */
  static async load(dir: string): Promise<FeatureExtractor | undefined> {
    const raw = await readInfo(dir);
    if (raw === undefined) return undefined;
    const info = extractorInfoSchema.parse(raw);
    const extractor = new FeatureExtractor(await loadLayersModel(dir), info);
    extractor.origin = 'cache';
    return extractor;
  }

  /** Frees the classifier's weights. */
  dispose(): void {
    this.model.dispose();
  }

  private checkShape(shape: readonly number[]): void {
    const expected = this.info.shape;
    if (shape.length !== 3 || shape.some((d, i) => d !== expected[i])) {
      throw new RangeError(
        `feature extractor '${this.info.key}' takes images of shape [${expected.join(', ')}], got [${shape.join(', ')}]`,
      );
    }
  }

  private async embedBatches(
    source: Float32Array | tf.Tensor4D,
    n: number,
    batchSize: number,
  ): Promise<Embedding> {
    const [h, w, c] = this.info.shape;
    const len = h * w * c;
    const classes = this.info.classNames.length;
    const features = new Float32Array(n * this.featureDim);
    const probabilities = new Float32Array(n * classes);
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const outputs = tf.tidy(() => {
        const x =
          source instanceof Float32Array
            ? tf.tensor4d(source.subarray(start * len, (start + count) * len), [count, h, w, c])
            : source;
        return this.embedder.predict(x, { batchSize: count }) as tf.Tensor[];
      });
      try {
        const [f, p] = await Promise.all(outputs.map((t) => t.data<'float32'>()));
        features.set(f as Float32Array, start * this.featureDim);
        probabilities.set(p as Float32Array, start * classes);
      } finally {
        tf.dispose(outputs);
      }
    }
    return {
      features: featureMatrix(features, n, this.featureDim),
      probabilities: featureMatrix(probabilities, n, classes),
    };
  }
}

/** Index of the largest value in each row. */
export function argmaxRows(m: FeatureMatrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let k = 0; k < m.cols; k++) {
      const v = m.data[r * m.cols + k] as number;
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Fraction of rows whose arg-max equals the label. */
export function top1Accuracy(probabilities: FeatureMatrix, labels: ArrayLike<number>): number {
  if (probabilities.rows === 0) return Number.NaN;
  const predicted = argmaxRows(probabilities);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / predicted.length;
}
