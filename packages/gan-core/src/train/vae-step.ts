/**
 * One VAE training step: encode a real batch, sample z by reparameterisation, decode, and take one
 * Adam step on recon + β·KL for the decoder (the state's generator, optimizerG) and the encoder
 * (the state's discriminator, optimizerD) from one tape. Batch `state.step` of `data` is read and
 * every random draw comes from the state's PRNG, so a resumed run replays bit for bit.
 */
import * as tf from '@tensorflow/tfjs';

import { gaussianKl, gaussianReconstruction, reparameterize } from '../losses/vae.js';
import { oneHotLabels } from '../sampling/sample.js';
import { applyGradients, realBatch, withLabels } from './step.js';
import { trainableVariables, type TrainingState } from './state.js';
import type { TrainingData } from './data.js';

/** Losses of a VAE step, in nats per image (see losses/vae.ts). */
export interface VaeStepLosses {
  /** What is minimised: recon + β·kl. */
  loss: number;
  /** Gaussian negative log-likelihood of the batch under the decoder (without its constant). */
  recon: number;
  /** KL(q(z|x) || N(0, I)). */
  kl: number;
  /** The evidence lower bound -(recon + kl) (β = 1 whatever the config's β). */
  elbo: number;
  [name: string]: number | undefined;
}

/** Runs one VAE step on `state` (model `vae` or `cvae`) and returns its losses. */
export function vaeStep(state: TrainingState, data: TrainingData): VaeStepLosses {
  const { config, generator: decoder, discriminator: encoder, numClasses } = state;
  const latentDim = config.latentDim;
  const decoderVars = trainableVariables(decoder);
  const encoderVars = trainableVariables(encoder);
  const values = tf.tidy(() => {
    const batch = realBatch(data, state.step, config.batchSize);
    if (numClasses > 0 && batch.labels === null)
      throw new Error(`model ${config.model} needs a labelled dataset`);
    const labels =
      numClasses > 0 && batch.labels !== null ? oneHotLabels(batch.labels, numClasses) : null;
    const seed = state.rng.nextSeed();
    const parts: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const stats = encoder.apply(withLabels(batch.real, labels), {
        training: true,
      }) as tf.Tensor2D;
      const [mu, logVar] = tf.split(stats, [latentDim, latentDim], 1) as [tf.Tensor2D, tf.Tensor2D];
      const z = reparameterize(mu, logVar, seed);
      const mean = decoder.apply(withLabels(z, labels), { training: true }) as tf.Tensor;
      const recon = gaussianReconstruction(batch.real, mean);
      const kl = gaussianKl(mu, logVar);
      parts.push(tf.keep(recon), tf.keep(kl));
      return tf.add(recon, tf.mul(kl, config.beta));
    }, [...decoderVars, ...encoderVars]);
    applyGradients(state.optimizerG, decoderVars, grads);
    applyGradients(state.optimizerD, encoderVars, grads);
    return [value, ...parts];
  });
  const [loss, recon, kl] = values.map((t) => t.dataSync()[0] as number) as [
    number,
    number,
    number,
  ];
  tf.dispose(values);
  state.step += 1;
  state.ema.update(state.step);
  return { loss, recon, kl, elbo: -(recon + kl) };
}
