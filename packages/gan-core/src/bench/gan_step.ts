/**
 * One benchmark training step, as in the PyTorch reference: one discriminator update on a real
 * and a generated batch, then one generator update, non-saturating BCE with logits,
 * Adam(2e-4, beta1 0.5) for both networks.
 */
import * as tf from '@tensorflow/tfjs';
import { LATENT_SIZE } from './models.js';
import type { GanPair } from './models.js';

/** Losses of one step. */
export interface StepLosses {
  discriminator: number;
  generator: number;
}

/** A GAN ready to train: its networks, their optimizers and a fixed real batch. */
export interface GanTrainer {
  step(): StepLosses;
  dispose(): void;
}

/** Options of {@link createGanTrainer}. */
export interface GanTrainerOptions {
  /**
   * Replaces a flat gradient vector (every trainable variable, in order) by its average over
   * data-parallel replicas, in place. Absent: single-replica training.
   */
  averageGradients?: (flat: Float32Array) => void;
}

/** Mean BCE with logits against a constant label (TF's numerically stable form). */
function bceWithLogits(logits: tf.Tensor, label: 0 | 1): tf.Scalar {
  const labels = label === 1 ? tf.onesLike(logits) : tf.zerosLike(logits);
  return tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(labels, logits);
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Copies gradients into one flat vector and back: the unit replicas exchange. */
function averaged(
  grads: tf.NamedTensorMap,
  vars: tf.Variable[],
  average: (flat: Float32Array) => void,
): tf.NamedTensorMap {
  const total = vars.reduce((n, v) => n + v.size, 0);
  const flat = new Float32Array(total);
  let offset = 0;
  for (const v of vars) {
    flat.set(grads[v.name]!.dataSync(), offset);
    offset += v.size;
  }
  average(flat);
  const out: tf.NamedTensorMap = {};
  offset = 0;
  for (const v of vars) {
    out[v.name] = tf.tensor(flat.subarray(offset, offset + v.size), v.shape);
    offset += v.size;
  }
  return out;
}

/** Computes the gradients of `loss`, averages them across replicas if asked, applies them. */
function update(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  loss: () => tf.Scalar,
  average: ((flat: Float32Array) => void) | undefined,
): number {
  const { value, grads } = tf.variableGrads(loss, vars);
  const applied = average === undefined ? grads : averaged(grads, vars, average);
  optimizer.applyGradients(applied);
  const lossValue = value.dataSync()[0]!;
  tf.dispose([value, grads, applied]);
  return lossValue;
}

/** Sets up the optimizers and the real batch (uniform in [-1, 1], like the reference). */
export function createGanTrainer(
  gan: GanPair,
  batch: number,
  options: GanTrainerOptions = {},
): GanTrainer {
  const { generator, discriminator } = gan;
  const adam = (): tf.Optimizer => tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
  const gOptimizer = adam();
  const dOptimizer = adam();
  const gVars = trainableVariables(generator);
  const dVars = trainableVariables(discriminator);
  const imageShape = discriminator.inputs[0]!.shape.slice(1) as number[];
  const real = tf.randomUniform([batch, ...imageShape], -1, 1);
  const G = (z: tf.Tensor): tf.Tensor => generator.apply(z, { training: true }) as tf.Tensor;
  const D = (x: tf.Tensor): tf.Tensor => discriminator.apply(x, { training: true }) as tf.Tensor;
  const average = options.averageGradients;

  return {
    step(): StepLosses {
      const z = tf.randomNormal([batch, LATENT_SIZE]);
      const fake = tf.tidy(() => G(z));
      const dLoss = update(
        dOptimizer,
        dVars,
        () => tf.add(bceWithLogits(D(real), 1), bceWithLogits(D(fake), 0)),
        average,
      );
      const gLoss = update(gOptimizer, gVars, () => bceWithLogits(D(G(z)), 1), average);
      tf.dispose([z, fake]);
      return { discriminator: dLoss, generator: gLoss };
    },
    dispose(): void {
      real.dispose();
      gOptimizer.dispose();
      dOptimizer.dispose();
    },
  };
}
