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

/** Mean BCE with logits against a constant label (TF's numerically stable form). */
function bceWithLogits(logits: tf.Tensor, label: 0 | 1): tf.Scalar {
  const labels = label === 1 ? tf.onesLike(logits) : tf.zerosLike(logits);
  return tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(labels, logits);
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Sets up the optimizers and the real batch (uniform in [-1, 1], like the reference). */
export function createGanTrainer(gan: GanPair, batch: number): GanTrainer {
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

  return {
    step(): StepLosses {
      const z = tf.randomNormal([batch, LATENT_SIZE]);
      const fake = tf.tidy(() => G(z));
      const dLoss = dOptimizer.minimize(
        () => tf.add(bceWithLogits(D(real), 1), bceWithLogits(D(fake), 0)),
        true,
        dVars,
      )!;
      const gLoss = gOptimizer.minimize(() => bceWithLogits(D(G(z)), 1), true, gVars)!;
      const losses = { discriminator: dLoss.dataSync()[0]!, generator: gLoss.dataSync()[0]! };
      tf.dispose([z, fake, dLoss, gLoss]);
      return losses;
    },
    dispose(): void {
      real.dispose();
      gOptimizer.dispose();
      dOptimizer.dispose();
    },
  };
}
