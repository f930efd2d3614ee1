import type * as tf from '@tensorflow/tfjs';
import { sampleLength, type MetricDataset } from './dataset.js';
import type { FeatureExtractor } from './extractor/feature-extractor.js';
import { kNearestNeighbors, type DistanceBlockOptions } from './neighbors.js';
import { featureMatrix, type FeatureMatrix } from './stats/matrix.js';
import { sampleWithoutReplacement, seededRandom } from './stats/rng.js';

/** Where distances are measured: raw pixels, or the metric classifier's feature space. */
export type MemorizationSpace = 'pixel' | 'feature';

/**
 * Default pixel-space threshold: RMS difference per value (images in [-1, 1]). Measured on MNIST
 * (docs/metrics.md): the nearest training image of 1000 fresh test images was never closer than
 * 0.068 (0.1% quantile 0.080, median 0.31); an exact copy is at 0, a copy with +-0.05 noise ~0.02.
 */
export const DEFAULT_PIXEL_THRESHOLD = 0.05;

/** Options of {@link memorizationAudit}. */
export interface MemorizationOptions extends DistanceBlockOptions {
  /** Generated images `[n, h, w, c]` in [-1, 1] (not disposed). */
  readonly samples: tf.Tensor4D;
  /** The training set the generator saw. */
  readonly training: MetricDataset;
  /** Default `pixel`. `feature` needs `extractor`. */
  readonly space?: MemorizationSpace;
  readonly extractor?: FeatureExtractor;
  /** Features of `training` when already computed (feature space; saves a pass over the set). */
  readonly trainingFeatures?: FeatureMatrix;
  /**
   * Flag samples whose RMS distance to the nearest training image is at most this. Default:
   * calibrated from `calibration` when given, else {@link DEFAULT_PIXEL_THRESHOLD} in pixel space
   * (feature space requires one of the two).
   */
  readonly threshold?: number;
  /**
   * Held-out real images (e.g. the test split): the threshold becomes the `calibrationQuantile`
   * quantile of their distances to the training set, i.e. "closer to a training image than
   * (1 - q) of genuinely new images are".
   */
  readonly calibration?: MetricDataset;
  /** Default 0.001. */
  readonly calibrationQuantile?: number;
  /** At most this many calibration images are used (default 1000, random with `seed`). */
  readonly calibrationSamples?: number;
  readonly seed?: number;
}

/** Result of {@link memorizationAudit}; arrays are indexed by generated sample. */
export interface MemorizationReport {
  readonly space: MemorizationSpace;
  readonly threshold: number;
  readonly thresholdSource: 'option' | 'calibrated' | 'default';
  /** Index of the nearest training image. */
  readonly nearestIndex: Int32Array;
  /** RMS difference per value to that image (Euclidean distance / sqrt(dimension)). */
  readonly distance: Float64Array;
  /**
   * Nearest over second-nearest training distance: well below 1 means one training image stands
   * out, the signature of a copy (Yoon et al. 2023 call < 1/3 memorized).
   */
  readonly ratio: Float64Array;
  /** Indices of generated samples at or under the threshold: likely near-copies. */
  readonly flagged: number[];
  readonly flaggedFraction: number;
  /** Distance quantiles of the held-out images, when calibrated. */
  readonly calibration?: {
    readonly samples: number;
    readonly quantile: number;
    readonly median: number;
  };
}

/**
 * Memorization audit: for each generated sample, the nearest training image (brute force, matmul
 * based, blocked) and a flag when it is closer than fresh images usually are. GANs can reproduce
 * training images; a flagged sample should be looked at before generated data is published.
 */
export async function memorizationAudit(options: MemorizationOptions): Promise<MemorizationReport> {
  const space = options.space ?? 'pixel';
  const { training } = options;
  if (training.size < 2) throw new RangeError('memorizationAudit: the training set needs 2 images');
  const embed = embedder(space, options);
  const reference = options.trainingFeatures ?? (await embed.dataset(training, training.size));
  const query = await embed.tensor(options.samples);
  const dim = reference.cols;

  const nn = await kNearestNeighbors(query, reference, 2, options);
  const n = query.rows;
  const nearestIndex = new Int32Array(n);
  const distance = new Float64Array(n);
  const ratio = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    nearestIndex[i] = nn.indices[2 * i] as number;
    const d1 = nn.distances[2 * i] as number;
    const d2 = nn.distances[2 * i + 1] as number;
    distance[i] = d1 / Math.sqrt(dim);
    ratio[i] = d2 > 0 ? d1 / d2 : d1 === 0 ? 0 : 1;
  }

  let threshold: number;
  let thresholdSource: MemorizationReport['thresholdSource'];
  let calibration: MemorizationReport['calibration'];
  if (options.threshold !== undefined) {
    threshold = options.threshold;
    thresholdSource = 'option';
  } else if (options.calibration !== undefined) {
    const held = options.calibration;
    const count = Math.min(options.calibrationSamples ?? 1000, held.size);
    const pick = sampleWithoutReplacement(held.size, count, seededRandom(options.seed ?? 1));
    const heldFeatures = await embed.dataset(held, count, pick);
    const heldNn = await kNearestNeighbors(heldFeatures, reference, 1, options);
    const sorted = heldNn.distances.map((d) => d / Math.sqrt(dim)).sort();
    const q = options.calibrationQuantile ?? 0.001;
    threshold = quantile(sorted, q);
    thresholdSource = 'calibrated';
    calibration = { samples: count, quantile: q, median: quantile(sorted, 0.5) };
  } else if (space === 'pixel') {
    threshold = DEFAULT_PIXEL_THRESHOLD;
    thresholdSource = 'default';
  } else {
    throw new RangeError('memorizationAudit: feature space needs a threshold or a calibration set');
  }

  const flagged: number[] = [];
  for (let i = 0; i < n; i++) if ((distance[i] as number) <= threshold) flagged.push(i);
  return {
    space,
    threshold,
    thresholdSource,
    nearestIndex,
    distance,
    ratio,
    flagged,
    flaggedFraction: n === 0 ? 0 : flagged.length / n,
    ...(calibration ? { calibration } : {}),
  };
}

interface Embedder {
  tensor(images: tf.Tensor4D): Promise<FeatureMatrix>;
  dataset(d: MetricDataset, count: number, indices?: Int32Array): Promise<FeatureMatrix>;
}

function embedder(space: MemorizationSpace, options: MemorizationOptions): Embedder {
  const len = sampleLength(options.training);
  const rows = (d: MetricDataset, count: number, indices?: Int32Array): Float32Array => {
    if (indices === undefined) return d.data.subarray(0, count * len);
    const out = new Float32Array(count * len);
    for (let k = 0; k < count; k++) {
      const i = indices[k] as number;
      out.set(d.data.subarray(i * len, (i + 1) * len), k * len);
    }
    return out;
  };
  if (space === 'pixel') {
    return {
      tensor: async (images) =>
        featureMatrix(await images.data<'float32'>(), images.shape[0], imageLength(images, len)),
      dataset: (d, count, indices) =>
        Promise.resolve(featureMatrix(rows(d, count, indices), count, len)),
    };
  }
  const extractor = options.extractor;
  if (extractor === undefined)
    throw new RangeError('memorizationAudit: feature space needs an extractor');
  return {
    tensor: async (images) => (await extractor.embed(images)).features,
    dataset: async (d, count, indices) =>
      (await extractor.embedArray(rows(d, count, indices), count)).features,
  };
}

function imageLength(images: tf.Tensor4D, expected: number): number {
  const [, h, w, c] = images.shape;
  if (h * w * c !== expected) {
    throw new RangeError(
      `memorizationAudit: samples of ${h}x${w}x${c} do not match the training images`,
    );
  }
  return expected;
}

/** Linear-interpolated quantile of an ascending array. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}
