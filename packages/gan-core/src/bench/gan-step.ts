/**
 * One benchmark training step, as in the PyTorch reference: one discriminator update on a real
 * and a generated batch, then one generator update, non-saturating BCE with logits,
 * Adam(2e-4, beta1 0.5) for both networks.
 */
import * as tf from '@tensorflow/tfjs';
import { LATENT_SIZE } from './models.js';
import type { GanPair } from './models.js';
import { adam as fusedAdam } from '../train/adam.js';
// The loss gan-core trains with (same value as tf.losses.sigmoidCrossEntropy: mean over the batch).
import { bceWithLogits } from '../losses/adversarial.js';

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
  /**
   * Run the generator forward once per step (default) rather than once per update. Same maths:
   * see {@link createGanTrainer}.
   */
  singleGeneratorForward?: boolean;
  /** Seed of the latent noise and the real batch (step i uses seed + i); default: random. */
  seed?: number;
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

/**
 * Sets up the optimizers and the real batch (uniform in [-1, 1], like the reference).
 *
 * One generator forward per step, like PyTorch's reference: the generator's loss is taped around
 * the whole step, and the discriminator's update runs nested inside it on the same `fake`.
 * TF.js then backpropagates the generator's loss through the updated discriminator (its
 * variables are read after the update) and G's single recorded forward; the discriminator's
 * update is a dead end of that tape (assigning a variable records no op), so it adds no
 * second-order terms. Equal to two separate updates, minus a generator forward (tested).
 */
export function createGanTrainer(
  gan: GanPair,
  batch: number,
  options: GanTrainerOptions = {},
): GanTrainer {
  const { generator, discriminator } = gan;
  const adam = (): tf.Optimizer => fusedAdam(2e-4, 0.5, 0.999, 1e-8);
  const gOptimizer = adam();
  const dOptimizer = adam();
  const gVars = trainableVariables(generator);
  const dVars = trainableVariables(discriminator);
  const imageShape = discriminator.inputs[0]!.shape.slice(1) as number[];
  const { seed } = options;
  const real = tf.randomUniform([batch, ...imageShape], -1, 1, 'float32', seed);
  let stepIndex = 0;
  const G = (z: tf.Tensor): tf.Tensor => generator.apply(z, { training: true }) as tf.Tensor;
  const D = (x: tf.Tensor): tf.Tensor => discriminator.apply(x, { training: true }) as tf.Tensor;
  const average = options.averageGradients;

  return {
    step(): StepLosses {
      const z = tf.randomNormal(
        [batch, LATENT_SIZE],
        0,
        1,
        'float32',
        seed === undefined ? undefined : seed + 1 + stepIndex++,
      );
      const dLossOf = (fake: tf.Tensor) => () =>
        tf.add<tf.Scalar>(bceWithLogits(D(real), 1), bceWithLogits(D(fake), 0));
      let dLoss = NaN;
      let gLoss: number;
      if (options.singleGeneratorForward ?? true) {
        gLoss = update(
          gOptimizer,
          gVars,
          () => {
            const fake = G(z);
            dLoss = update(dOptimizer, dVars, dLossOf(fake), average);
            return bceWithLogits(D(fake), 1);
          },
          average,
        );
      } else {
        const fake = tf.tidy(() => G(z));
        dLoss = update(dOptimizer, dVars, dLossOf(fake), average);
        fake.dispose();
        gLoss = update(gOptimizer, gVars, () => bceWithLogits(D(G(z)), 1), average);
      }
      z.dispose();
      return { discriminator: dLoss, generator: gLoss };
    },
    dispose(): void {
      real.dispose();
      gOptimizer.dispose();
      dOptimizer.dispose();
    },
  };
}
