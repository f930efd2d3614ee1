import type * as tf from '@tensorflow/tfjs';
import { generatorSignature, sample } from '../sampling/index.js';
import type { EvaluateGeneratorOptions, GeneratorEvaluation } from './evaluate.js';

/** The `generate` / `conditional` pair {@link evaluateGenerator} takes. */
export type GeneratorSource = Pick<EvaluateGeneratorOptions, 'generate' | 'conditional'>;

/**
 * Adapts a gan-core generator model (inputs `[z]` or `[z, one-hot label]`) for
 * {@link evaluateGenerator}: latent noise from `seed` (a new seed per call, so batches differ but a
 * run is reproducible); conditional generators get the evaluator's balanced labels.
 */
export function layersGenerator(generator: tf.LayersModel, seed = 1): GeneratorSource {
  const { numClasses } = generatorSignature(generator);
  let call = 0;
  return {
    conditional: numClasses > 0,
    generate: (n, labels) =>
      sample(generator, {
        n,
        seed: (seed + 7919 * call++) >>> 0,
        ...(numClasses > 0 && labels !== undefined ? { label: Array.from(labels) } : {}),
      }),
  };
}

/**
 * Flattens an evaluation into named numbers for metric logs and the training loop's `onEval`
 * (`fid`, `kid`, `kid_std`, `is`, `is_std`, `precision`, `recall`, `density`, `coverage`,
 * `conditional_accuracy` when measured).
 */
export function evaluationRecord(e: GeneratorEvaluation): Record<string, number> {
  return {
    fid: e.fid,
    kid: e.kid.mean,
    kid_std: e.kid.std,
    is: e.is.mean,
    is_std: e.is.std,
    precision: e.precision,
    recall: e.recall,
    density: e.density,
    coverage: e.coverage,
    ...(e.conditionalAccuracy !== undefined ? { conditional_accuracy: e.conditionalAccuracy } : {}),
  };
}
