/**
 * One training step: `dSteps` discriminator updates, then one generator update, each with its own
 * tape and optimizer restricted to that network's trainable variables (the seed document's code
 * used one tape for both nets and trained D on fake labels only). The last D update and the G
 * update share one forward of G (see {@link trainStep}).
 */
import * as tf from '@tensorflow/tfjs';

import {
  discriminatorFakeLoss,
  discriminatorLoss,
  discriminatorRealLoss,
  generatorLoss,
} from '../losses/adversarial.js';
import { diffAugment } from '../losses/diffaugment.js';
import { gradientPenalty, r1Penalty } from '../losses/penalties.js';
import { clusterOfLatents, selfConditioningThresholds } from '../models/self-conditioned.js';
import { powerIterate } from '../models/spectral-norm.js';
import { clippedGradientSum, noisyMean, poissonSample } from '../privacy/dp-sgd.js';
import { perExampleClippedSum, perExampleUnsupported } from '../privacy/per-example.js';
import type { PrivacyPlan } from '../privacy/plan.js';
import { oneHotLabels } from '../sampling/sample.js';
import { isTrainingPoints, type TrainingData } from './data.js';
import { trainableVariables, type TrainingState } from './state.js';

/** Loss values of one step: `d` includes penalties; `gp` / `r1` are reported when enabled. */
export interface StepLosses {
  d: number;
  g: number;
  gp?: number;
  r1?: number;
  [name: string]: number | undefined;
}

type Inputs = tf.Tensor | tf.Tensor[];

/** `x`, or `[x, labels]` for a conditional model's two inputs. */
export function withLabels(x: tf.Tensor, labels: tf.Tensor2D | null): Inputs {
  return labels === null ? x : [x, labels];
}

/** Applies `grads` (keyed by variable name) to `variables` in their order. */
export function applyGradients(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  grads: tf.NamedTensorMap,
): void {
  // An explicit array keeps Adam's moment slots in the variables' order, which checkpoints rely on.
  optimizer.applyGradients(
    variables.map((v) => {
      const tensor = grads[v.name];
      if (tensor === undefined)
        throw new Error(`no gradient for ${v.name}: is it connected to the loss?`);
      return { name: v.name, tensor };
    }),
  );
}

/** Batch `index` of `data` as one tensor (images NHWC, or points `[n, 2]`) and its labels. */
export function realBatch(
  data: TrainingData,
  index: number,
  batchSize: number,
): { real: tf.Tensor; labels: Int32Array | null } {
  if (isTrainingPoints(data)) {
    const { points, labels } = data.batch(index, batchSize);
    return { real: points, labels };
  }
  const { images, labels } = data.batch(index, batchSize);
  return { real: images, labels };
}

/** The examples at `indices` of `data` (images or points) as one tensor, with their labels. */
function realExamples(
  data: TrainingData,
  indices: Int32Array,
): { real: tf.Tensor; labels: Int32Array | null } {
  if (data.examples === undefined)
    throw new Error('private training needs a data source that reads examples by index');
  if (isTrainingPoints(data)) {
    const { points, labels } = data.examples(indices);
    return { real: points, labels };
  }
  const { images, labels } = data.examples(indices);
  return { real: images, labels };
}

/** Options of {@link trainStep}. */
export interface StepOptions {
  /**
   * One forward of G serves the last D update and the G update (default). `false` runs G forward
   * twice on the same latents: the same updates, kept as the reference the shared path is tested
   * against.
   */
  sharedGeneratorForward?: boolean;
}

/**
 * Runs one step on `state` and returns its losses. Non-private: D update k reads batch
 * `state.step * dSteps + k` of `data`. Private (`privacy` given): D update k reads a Poisson sample
 * of the dataset and takes a DP-SGD step (see privacy/dp-sgd.ts).
 */
export function trainStep(
  state: TrainingState,
  data: TrainingData,
  privacy: PrivacyPlan | null = null,
  { sharedGeneratorForward = true }: StepOptions = {},
): StepLosses {
  const { config, generator, discriminator, numClasses } = state;
  const batchSize = config.batchSize;
  const random = (): number => state.rng.nextFloat();
  const conditional = numClasses > 0;
  const dVars = trainableVariables(discriminator);
  const gVars = trainableVariables(generator);
  // A self-conditioned G reads its cluster off z (models/self-conditioned.ts): D's fake labels are
  // that cluster, and G takes no label input.
  const cuts = selfConditioningThresholds(generator);
  const noise = (): tf.Tensor2D =>
    tf.randomNormal([batchSize, config.latentDim], 0, 1, 'float32', state.rng.nextSeed());
  /** Latents and the one-hot labels of the fakes they make (null for unconditional models). */
  const fakeInputs = (): { z: tf.Tensor2D; labels: tf.Tensor2D | null } => {
    if (!conditional) return { z: noise(), labels: null };
    if (cuts !== null) {
      const z = noise();
      return {
        z,
        labels: tf.tidy(() => clusterOfLatents(z, tf.tensor2d(cuts, [1, cuts.length]))),
      };
    }
    const labels = oneHotLabels(
      Array.from({ length: batchSize }, () => state.rng.nextInt(numClasses)),
      numClasses,
    );
    return { z: noise(), labels };
  };
  // DiffAugment transforms images; point batches (toy-mlp, whose config refuses it) pass through.
  const augment = (x: tf.Tensor): tf.Tensor =>
    x.rank === 4 ? diffAugment(x as tf.Tensor4D, config.diffAugment, random) : x;
  const critic = (labels: tf.Tensor2D | null) => (x: tf.Tensor) =>
    discriminator.apply(withLabels(augment(x), labels), { training: true }) as tf.Tensor;

  const generate = (z: tf.Tensor, labels: tf.Tensor2D | null): tf.Tensor =>
    generator.apply(withLabels(z, cuts === null ? labels : null), {
      training: true,
    }) as tf.Tensor;

  const dTotals = { d: 0, gp: 0, r1: 0 };
  for (let k = 0; k < config.dSteps && privacy !== null; k++) {
    const update = state.step * config.dSteps + k;
    powerIterate(discriminator);
    const key = state.privacyKey;
    if (key === undefined) throw new Error("a DP-SGD step needs the run's privacy key");
    const indices = poissonSample(data.size, privacy.sampleRate, key, update);
    const { real, labels: realIds } = realExamples(data, indices);
    const realLabels = conditional && realIds !== null ? oneHotLabels(realIds, numClasses) : null;
    if (conditional && realLabels === null)
      throw new Error('a conditional model needs a labelled dataset');
    const { z, labels } = fakeInputs();
    const fake = tf.tidy(() => generate(z, labels));
    z.dispose();
    const realLoss = (x: tf.Tensor, y: tf.Tensor2D | null): tf.Scalar =>
      discriminatorRealLoss(config.loss, critic(y)(x), { labelSmoothing: config.labelSmoothing });
    const one = (t: tf.Tensor, i: number): tf.Tensor =>
      tf.slice(t, [i, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1)]);
    // One batched pass where every weight is in a dense or conv layer (the project's three
    // discriminators), else one backward pass per example (the reference both are tested against).
    const { sums, meanLoss } =
      privacy.microbatch !== true && perExampleUnsupported(discriminator).length === 0
        ? perExampleClippedSum(
            discriminator,
            dVars,
            indices.length,
            () => tf.mul<tf.Scalar>(realLoss(real, realLabels), indices.length),
            privacy.clipNorm,
          )
        : clippedGradientSum(
            dVars,
            indices.length,
            (i) =>
              realLoss(
                one(real, i),
                realLabels === null ? null : (one(realLabels, i) as tf.Tensor2D),
              ),
            privacy.clipNorm,
          );
    const noisy = noisyMean(
      sums,
      privacy.noiseMultiplier * privacy.clipNorm,
      config.batchSize,
      key,
      update,
    );
    const fakeLoss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => discriminatorFakeLoss(config.loss, critic(labels)(fake)),
        dVars,
      );
      const total: tf.NamedTensorMap = {};
      dVars.forEach((v, i) => {
        total[v.name] = tf.add(grads[v.name] as tf.Tensor, noisy[i] as tf.Tensor);
      });
      applyGradients(state.optimizerD, dVars, total);
      return value;
    });
    dTotals.d += meanLoss + (fakeLoss.dataSync()[0] as number);
    tf.dispose([real, fake, fakeLoss, ...sums, ...noisy]);
    if (realLabels !== null) realLabels.dispose();
    if (labels !== null) labels.dispose();
  }
  /**
   * D update `k` on batch `state.step * dSteps + k` against `fake` (generated outside D's tape, so
   * D's update cannot reach into G).
   */
  const discriminatorUpdate = (k: number, labels: tf.Tensor2D | null, fake: tf.Tensor): void => {
    // Spectral norm (resnet-cgan's D): one power iteration per D update; a no-op for other models.
    powerIterate(discriminator);
    const values = tf.tidy(() => {
      const batch = realBatch(data, state.step * config.dSteps + k, batchSize);
      if (conditional && batch.labels === null)
        throw new Error('a conditional model needs a labelled dataset');
      const realLabels =
        conditional && batch.labels !== null ? oneHotLabels(batch.labels, numClasses) : null;
      const parts: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const realLogits = critic(realLabels)(batch.real);
        const fakeLogits = critic(labels)(fake);
        let loss = discriminatorLoss(config.loss, realLogits, fakeLogits, {
          labelSmoothing: config.labelSmoothing,
        });
        if (config.loss === 'wgan-gp') {
          // Interpolates pair each real with a fake of a random class; D sees the real's label.
          const gp = gradientPenalty(
            critic(realLabels),
            batch.real,
            fake,
            config.gpWeight,
            state.rng.nextSeed(),
          );
          parts.push(tf.keep(gp));
          loss = tf.add(loss, gp);
        }
        if (config.r1Gamma > 0) {
          const r1 = r1Penalty(critic(realLabels), batch.real, config.r1Gamma);
          parts.push(tf.keep(r1));
          loss = tf.add(loss, r1);
        }
        return loss;
      }, dVars);
      applyGradients(state.optimizerD, dVars, grads);
      return [value, ...parts];
    });
    const [d, ...penalties] = values.map((t) => t.dataSync()[0] as number);
    tf.dispose(values);
    dTotals.d += d ?? NaN;
    // Penalties come in the order they were added: gp, then r1.
    if (config.loss === 'wgan-gp') dTotals.gp += penalties.shift() ?? NaN;
    if (config.r1Gamma > 0) dTotals.r1 += penalties.shift() ?? NaN;
  };

  // Non-private: every D update but the last on a fake of its own.
  const lastShares = privacy === null;
  for (let k = 0; k < config.dSteps - 1 && lastShares; k++) {
    const { z, labels } = fakeInputs();
    const fake = tf.tidy(() => generate(z, labels));
    z.dispose();
    discriminatorUpdate(k, labels, fake);
    tf.dispose(labels === null ? [fake] : [fake, labels]);
  }

  // The G update. Non-private, the last D update runs on G's own fake batch first (PyTorch's DCGAN
  // reference does the same): with `sharedGeneratorForward`, G's loss is taped around it, so one
  // forward of G serves both updates. TF.js then backpropagates G's loss through the updated D
  // (its variables are read after the update) and G's one recorded forward; D's update is a dead
  // end of that tape (assigning a variable records no op), so it adds no second-order terms. The
  // same updates as a second forward of G, one forward cheaper (a fifth of a DCGAN step).
  const gValue = tf.tidy(() => {
    const { z, labels } = fakeInputs();
    if (lastShares && !sharedGeneratorForward) {
      const fake = tf.tidy(() => generate(z, labels));
      discriminatorUpdate(config.dSteps - 1, labels, fake);
      fake.dispose();
    }
    const { value, grads } = tf.variableGrads(() => {
      const fake = generate(z, labels);
      if (lastShares && sharedGeneratorForward)
        discriminatorUpdate(config.dSteps - 1, labels, fake);
      return generatorLoss(config.loss, critic(labels)(fake));
    }, gVars);
    applyGradients(state.optimizerG, gVars, grads);
    return value;
  });
  const g = gValue.dataSync()[0] as number;
  gValue.dispose();
  state.step += 1;
  state.ema.update(state.step);

  const losses: StepLosses = { d: dTotals.d / config.dSteps, g };
  if (config.loss === 'wgan-gp') losses.gp = dTotals.gp / config.dSteps;
  if (config.r1Gamma > 0) losses.r1 = dTotals.r1 / config.dSteps;
  return losses;
}
