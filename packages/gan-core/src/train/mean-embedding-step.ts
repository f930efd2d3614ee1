/**
 * The mean-embedding mechanism's training (DP-MERF): the run releases one noisy class-conditional
 * RFF mean embedding of its data before step 1 (privacy/mean-embedding.ts), and every step then
 * fits the conditional generator to it. No step reads the data: the generator is post-processing.
 */
import * as tf from '@tensorflow/tfjs';

import {
  classEmbeddings,
  embeddingSum,
  meanEmbeddingLoss,
  releaseEmbedding,
  rffMap,
  type RffMap,
} from '../privacy/mean-embedding.js';
import type { PrivacyPlan } from '../privacy/plan.js';
import { oneHotLabels } from '../sampling/sample.js';
import type { TrainingImages } from './data.js';
import { applyGradients } from './step.js';
import { trainableVariables, type TrainingState } from './state.js';

/** Loss of a mean-embedding step: Σ_k ‖mean φ(G(z, k)) − e_k‖² over the batch's classes. */
export interface MeanEmbeddingStepLosses {
  mmd: number;
  [name: string]: number | undefined;
}

/** What the steps read: the public feature map and the released per-class targets. */
export interface MeanEmbeddingTargets {
  map: RffMap;
  /** `[numClasses, 2D]`. */
  means: tf.Tensor2D;
  /** The released vector itself (stored in checkpoints). */
  release: Float64Array;
}

/** The run's public feature map: frequencies drawn from the config's seed. */
export function featureMapFor(plan: PrivacyPlan, inputDim: number, seed: number): RffMap {
  if (plan.features === undefined || plan.bandwidth === undefined)
    throw new Error('not a mean-embedding plan');
  return rffMap({ features: plan.features, bandwidth: plan.bandwidth, inputDim, seed });
}

/**
 * The targets of a run: from `stored` (a resumed run's checkpoint: the data is not read again),
 * or by releasing the embedding of `data` now (the one query of the private data, with secret
 * noise of multiplier `plan.noiseMultiplier`).
 */
export function meanEmbeddingTargets(
  plan: PrivacyPlan,
  data: TrainingImages,
  seed: number,
  stored?: Float64Array,
): MeanEmbeddingTargets {
  const inputDim = data.shape.reduce((a, b) => a * b, 1);
  const map = featureMapFor(plan, inputDim, seed);
  const release = stored ?? releaseEmbedding(embeddingSum(data, map), plan.noiseMultiplier);
  const { means } = classEmbeddings(release, map.features, data.numClasses);
  return { map, means, release };
}

/**
 * One generator update on the mean-embedding loss: a batch of `batchSize` latents from the state's
 * PRNG with labels cycling through the classes (balanced), one Adam step on G, then the EMA.
 */
export function meanEmbeddingStep(
  state: TrainingState,
  targets: MeanEmbeddingTargets,
): MeanEmbeddingStepLosses {
  const { config, generator, numClasses } = state;
  const vars = trainableVariables(generator);
  const value = tf.tidy(() => {
    const n = config.batchSize;
    const labels = oneHotLabels(
      Int32Array.from({ length: n }, (_, i) => i % numClasses),
      numClasses,
    );
    const z = tf.randomNormal([n, config.latentDim], 0, 1, 'float32', state.rng.nextSeed());
    const { value, grads } = tf.variableGrads(
      () =>
        meanEmbeddingLoss(
          generator.apply([z, labels], { training: true }) as tf.Tensor,
          labels,
          targets.means,
          targets.map,
        ),
      vars,
    );
    applyGradients(state.optimizerG, vars, grads);
    return value;
  });
  const mmd = value.dataSync()[0] as number;
  value.dispose();
  state.step += 1;
  state.ema.update(state.step);
  return { mmd };
}
