import * as tf from '@tensorflow/tfjs';
import { sampleLength, type MetricDataset } from './dataset.js';
import {
  argmaxRows,
  type Embedding,
  type FeatureExtractor,
} from './extractor/feature-extractor.js';
import { manifoldRadii, precisionRecall, type PrecisionRecallOptions } from './precision-recall.js';
import { frechetDistance } from './stats/frechet.js';
import { inceptionScore, type InceptionScoreOptions } from './stats/inception-score.js';
import { kernelInceptionDistanceOnBackend } from './kid-backend.js';
import type { KidOptions, KidResult } from './stats/kid.js';
import { gaussianStats, type GaussianStats } from './stats/moments.js';
import { permutation, sampleWithoutReplacement, seededRandom } from './stats/rng.js';
import type { MeanStd } from './stats/summary.js';

/** Options shared by the metric computations. */
export interface MetricOptions {
  readonly kid?: KidOptions;
  readonly precisionRecall?: PrecisionRecallOptions;
  readonly inceptionScore?: InceptionScoreOptions;
}

/** Quality of a set of generated images against real ones, in the extractor's feature space. */
export interface QualityMetrics {
  /** Fréchet distance of the feature Gaussians (lower is better; 0 = same statistics). */
  readonly fid: number;
  /** Kernel distance, unbiased MMD^2 (lower is better; ~0 = same distribution). */
  readonly kid: KidResult;
  /** Inception-Score-style score of the generated images (1 .. number of classes; higher is better). */
  readonly is: MeanStd;
  /** Share of generated images inside the real manifold (fidelity). */
  readonly precision: number;
  /** Share of real images inside the generated manifold (diversity). */
  readonly recall: number;
  /** Naeem et al. density (~1 when matched; fidelity, robust to real outliers). */
  readonly density: number;
  /** Naeem et al. coverage (share of real neighbourhoods hit by a generated image). */
  readonly coverage: number;
  /**
   * Share of generated images the metric classifier assigns to one class with probability at
   * least {@link CONFIDENT_PROBABILITY} ("confidently classified": a recognisable digit on MNIST).
   */
  readonly confident: number;
}

/** Top-class probability from which an image counts as confidently classified (0.9). */
export const CONFIDENT_PROBABILITY = 0.9;

/** Share of rows of a probability matrix whose largest entry is at least `threshold`. */
export function confidentShare(
  probabilities: Embedding['probabilities'],
  threshold = CONFIDENT_PROBABILITY,
): number {
  if (probabilities.rows === 0) return 0;
  let confident = 0;
  for (let r = 0; r < probabilities.rows; r++) {
    let best = -Infinity;
    for (let k = 0; k < probabilities.cols; k++) {
      const v = probabilities.data[r * probabilities.cols + k] as number;
      if (v > best) best = v;
    }
    if (best >= threshold) confident++;
  }
  return confident / probabilities.rows;
}

/** A real image set embedded once, reusable across evaluations (e.g. every N training steps). */
export interface ReferenceFeatures {
  readonly extractorKey: string;
  readonly embedding: Embedding;
  readonly stats: GaussianStats;
  /** k-NN ball radii of the real set for precision/recall (computed for one k). */
  readonly radii: { readonly k: number; readonly values: Float64Array };
}

/**
 * Embeds `n` images of `dataset` (default 5000; a random subset with `seed`, all when the set is
 * smaller) as the real side of {@link evaluateGenerator} / {@link compareEmbeddings}. Use the n you
 * generate: FID is biased by the sample size, and the k-NN radii by the sample density.
 * `k` is the precision/recall neighbourhood the radii are computed for.
 */
export async function computeReference(
  extractor: FeatureExtractor,
  dataset: MetricDataset,
  n = 5000,
  seed = 1,
  k = 3,
): Promise<ReferenceFeatures> {
  const count = Math.min(n, dataset.size);
  let embedding: Embedding;
  if (count < dataset.size) {
    // Embed only the chosen images: the training split can be 10-100x larger than n.
    const pick = sampleWithoutReplacement(dataset.size, count, seededRandom(seed));
    const len = sampleLength(dataset);
    const data = new Float32Array(count * len);
    for (let k = 0; k < count; k++) {
      const i = pick[k] as number;
      data.set(dataset.data.subarray(i * len, (i + 1) * len), k * len);
    }
    embedding = await extractor.embedArray(data, count);
  } else {
    embedding = await extractor.embedDataset(dataset);
  }
  return {
    extractorKey: extractor.info.key,
    embedding,
    stats: gaussianStats(embedding.features),
    radii: { k, values: await manifoldRadii(embedding.features, k) },
  };
}

/**
 * FID, KID, IS and confident share (of `fake`), precision and recall between two embedded image
 * sets.
 */
export async function compareEmbeddings(
  real: Embedding | ReferenceFeatures,
  fake: Embedding,
  options: MetricOptions = {},
): Promise<QualityMetrics> {
  const realEmbedding = 'embedding' in real ? real.embedding : real;
  const realStats = 'stats' in real ? real.stats : gaussianStats(real.features);
  const fid = frechetDistance(realStats, gaussianStats(fake.features));
  const kid = await kernelInceptionDistanceOnBackend(
    realEmbedding.features,
    fake.features,
    options.kid,
  );
  const is = inceptionScore(fake.probabilities, options.inceptionScore);
  const prOptions = options.precisionRecall ?? {};
  const k = prOptions.k ?? 3;
  const realRadii = 'radii' in real && real.radii.k === k ? real.radii.values : undefined;
  const pr = await precisionRecall(realEmbedding.features, fake.features, {
    ...prOptions,
    ...(realRadii ? { realRadii } : {}),
  });
  return {
    fid,
    kid,
    is,
    precision: pr.precision,
    recall: pr.recall,
    density: pr.density,
    coverage: pr.coverage,
    confident: confidentShare(fake.probabilities),
  };
}

/** Options of {@link evaluateGenerator}. */
export interface EvaluateGeneratorOptions extends MetricOptions {
  /**
   * Draws `n` images `[n, h, w, c]` in [-1, 1]. For a conditional generator, `labels[i]` is the
   * class image i must show. The evaluator disposes the returned tensor.
   */
  readonly generate: (n: number, labels?: Int32Array) => tf.Tensor4D | Promise<tf.Tensor4D>;
  /** Pass class labels to `generate` and report conditional accuracy. */
  readonly conditional?: boolean;
  /** Real images (usually the held-out split). Ignored when `reference` is given. */
  readonly dataset: MetricDataset;
  readonly extractor: FeatureExtractor;
  /** Number of generated images (default 2000); the real side uses as many (FID is biased by n). */
  readonly n?: number;
  /** Precomputed real side, from {@link computeReference}. */
  readonly reference?: ReferenceFeatures;
  /** Images per `generate` call (default 256): bounds memory. */
  readonly batchSize?: number;
  /** Seed of the real subset and the conditional labels (default 1). */
  readonly seed?: number;
}

/** {@link QualityMetrics} of a generator, plus what was measured. */
export interface GeneratorEvaluation extends QualityMetrics {
  /** Share of conditional samples the classifier assigns to the requested class. */
  readonly conditionalAccuracy?: number;
  /** Generated and real images compared. */
  readonly n: number;
  readonly referenceSize: number;
  readonly seconds: number;
}

/**
 * Samples a generator in batches, embeds the samples with the dataset's metric classifier and
 * compares them with real images: FID, KID, IS, precision/recall, and for conditional generators
 * the accuracy of the classifier on the requested labels. Tensors are disposed batch by batch.
 */
export async function evaluateGenerator(
  options: EvaluateGeneratorOptions,
): Promise<GeneratorEvaluation> {
  const started = performance.now();
  const { extractor } = options;
  const n = options.n ?? 2000;
  const batchSize = options.batchSize ?? 256;
  const seed = options.seed ?? 1;
  const reference =
    options.reference ?? (await computeReference(extractor, options.dataset, n, seed));
  if (reference.extractorKey !== extractor.info.key) {
    throw new RangeError(
      `reference features come from extractor '${reference.extractorKey}', not '${extractor.info.key}'`,
    );
  }
  const classes = extractor.info.classNames.length;
  const labels = options.conditional === true ? balancedLabels(n, classes, seed) : undefined;

  const features = new Float32Array(n * extractor.featureDim);
  const probabilities = new Float32Array(n * classes);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const images = await options.generate(count, labels?.subarray(start, start + count));
    try {
      if (images.shape[0] !== count) {
        throw new RangeError(`generate(${count}) returned ${images.shape[0]} images`);
      }
      const e = await extractor.embed(images);
      features.set(e.features.data, start * extractor.featureDim);
      probabilities.set(e.probabilities.data, start * classes);
    } finally {
      tf.dispose(images);
    }
  }
  const fake: Embedding = {
    features: { rows: n, cols: extractor.featureDim, data: features },
    probabilities: { rows: n, cols: classes, data: probabilities },
  };
  const metrics = await compareEmbeddings(reference, fake, options);
  let conditionalAccuracy: number | undefined;
  if (labels !== undefined) {
    const predicted = argmaxRows(fake.probabilities);
    let correct = 0;
    for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) correct++;
    conditionalAccuracy = correct / n;
  }
  return {
    ...metrics,
    ...(conditionalAccuracy !== undefined ? { conditionalAccuracy } : {}),
    n,
    referenceSize: reference.embedding.features.rows,
    seconds: (performance.now() - started) / 1000,
  };
}

/** n labels with every class equally often (up to one), in random order. */
function balancedLabels(n: number, classes: number, seed: number): Int32Array {
  const order = permutation(n, seededRandom(seed + 1));
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[order[i] as number] = i % classes;
  return labels;
}
