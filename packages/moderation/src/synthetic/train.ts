/**
 * Trains a small CNN to tell real images from a generator's, and evaluates it on held-out images of
 * both kinds with AP and ROC AUC (CNNDetection's practice: accuracy alone hides threshold choice).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ganmod/gan-core';
import { ModerationConfigError } from '../errors.js';
import { averagePrecision, metricsAt, rocAuc, type ScoredLabel } from '../metrics/ranking.js';
import { type ImageGenerator, type RealImageSet, realBatch } from './generator.js';

/** Options of {@link trainSyntheticDetector}. */
export interface SyntheticTrainOptions {
  real: RealImageSet;
  /** Held-out real images for evaluation (e.g. the dataset's test split). */
  realTest: RealImageSet;
  generate: ImageGenerator;
  /** Human-readable description of the generator, stored with the model. */
  generatorName: string;
  /** Training steps of `batchSize` real + `batchSize` generated images (default 150). */
  steps?: number;
  batchSize?: number;
  /** Held-out images per class for evaluation (default 500). */
  evalSize?: number;
  seed?: number;
  onStep?: (step: number, loss: number) => void;
}

/** Held-out evaluation of a synthetic-image detector. */
export interface SyntheticEvaluation {
  averagePrecision: number;
  rocAuc: number;
  /** At threshold 0.5. */
  precision: number;
  recall: number;
  accuracy: number;
  realTest: number;
  generatedTest: number;
  realDataset: string;
  generator: string;
  trainSteps: number;
  evaluatedAt: string;
}

/** A trained detector: the model plus what it was trained on. */
export interface SyntheticModel {
  model: tf.LayersModel;
  inputShape: [number, number, number];
  realDataset: string;
  generator: string;
}

/** Conv(16, s2) -> Conv(32, s2) -> Conv(64, s2) -> global average -> dense(1, sigmoid). */
export function buildSyntheticCnn(inputShape: [number, number, number], seed = 1): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape,
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(0),
    }),
  );
  model.add(
    tf.layers.conv2d({
      filters: 32,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    }),
  );
  model.add(
    tf.layers.conv2d({
      filters: 64,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
    }),
  );
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }));
  return model;
}

/** P(generated) for each image of `images` ([-1, 1]), batched. */
export async function predictSynthetic(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  batchSize = 256,
): Promise<Float32Array> {
  const out = model.predict(images, { batchSize }) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

function pick(n: number, size: number, next: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(next() * size));
}

/** Scores held-out real and generated images and computes AP, AUC and accuracy at 0.5. */
export async function evaluateSynthetic(
  trained: SyntheticModel,
  realTest: RealImageSet,
  generate: ImageGenerator,
  evalSize: number,
  seed: number,
  trainSteps: number,
): Promise<SyntheticEvaluation> {
  const n = Math.min(evalSize, realTest.size);
  const real = realBatch(
    realTest,
    Array.from({ length: n }, (_, i) => i),
  );
  const fake = await generate(n, seed + 1_000_003); // a seed range training never used
  const realScores = await predictSynthetic(trained.model, real);
  const fakeScores = await predictSynthetic(trained.model, fake);
  tf.dispose([real, fake]);
  const data: ScoredLabel[] = [
    ...Array.from(realScores, (score) => ({ score, positive: false })),
    ...Array.from(fakeScores, (score) => ({ score, positive: true })),
  ];
  const at = metricsAt(data, 0.5);
  return {
    averagePrecision: averagePrecision(data),
    rocAuc: rocAuc(data),
    precision: at.precision,
    recall: at.recall,
    accuracy: (at.truePositives + at.trueNegatives) / data.length,
    realTest: n,
    generatedTest: n,
    realDataset: realTest.name,
    generator: trained.generator,
    trainSteps,
    evaluatedAt: new Date().toISOString(),
  };
}

/**
 * Trains the detector with Adam on balanced batches (label 1 = generated), then evaluates it.
 *
 * @throws {@link ModerationConfigError} when the real set and the generator disagree on shape.
 */
export async function trainSyntheticDetector(
  options: SyntheticTrainOptions,
): Promise<{ trained: SyntheticModel; evaluation: SyntheticEvaluation }> {
  await initBackend({ logger: null });
  const steps = options.steps ?? 150;
  const batchSize = options.batchSize ?? 64;
  const seed = options.seed ?? 1;
  const inputShape = [...options.real.shape] as [number, number, number];
  if (inputShape.length !== 3) {
    throw new ModerationConfigError(
      `real images must be HWC, got shape [${inputShape.join(', ')}]`,
    );
  }
  const probe = await options.generate(1, seed);
  const probeShape = probe.shape.slice(1).join('x');
  probe.dispose();
  if (probeShape !== inputShape.join('x')) {
    throw new ModerationConfigError(
      `generator makes ${probeShape} images but the real set ${options.real.name} is ${inputShape.join('x')}`,
    );
  }
  const model = buildSyntheticCnn(inputShape, seed);
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'binaryCrossentropy' });
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 22695477) + 1) >>> 0;
    return s / 4294967296;
  };
  const labels = tf.concat([tf.zeros([batchSize, 1]), tf.ones([batchSize, 1])]);
  for (let step = 0; step < steps; step++) {
    const real = realBatch(options.real, pick(batchSize, options.real.size, next));
    const fake = await options.generate(batchSize, seed + step);
    const x = tf.concat([real, fake]);
    const loss = await model.trainOnBatch(x, labels);
    tf.dispose([real, fake, x]);
    options.onStep?.(step, Array.isArray(loss) ? (loss[0] ?? NaN) : loss);
  }
  labels.dispose();
  const trained: SyntheticModel = {
    model,
    inputShape,
    realDataset: options.real.name,
    generator: options.generatorName,
  };
  const evaluation = await evaluateSynthetic(
    trained,
    options.realTest,
    options.generate,
    options.evalSize ?? 500,
    seed,
    steps,
  );
  return { trained, evaluation };
}
