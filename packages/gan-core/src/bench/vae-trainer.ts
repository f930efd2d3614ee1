/**
 * The benchmark's VAE rows: the real gan-core VAE step (train/vae-step.ts) on the models `train()`
 * builds for a 28x28x1 dataset with z of size {@link LATENT_SIZE}, so its decoder is the DCGAN
 * row's generator. Data are fixed random images in [-1, 1] (labelled for `cvae`): the timing does
 * not depend on the pixels.
 */
import { parseTrainConfig } from '../config.js';
import { inMemoryImages } from '../train/data.js';
import { createTrainingState, disposeState } from '../train/state.js';
import { vaeStep, type VaeStepLosses } from '../train/vae-step.js';
import { CounterRng } from '../train/prng.js';
import { IMAGE_SHAPE, LATENT_SIZE } from './models.js';

/** VAE benchmark models. */
export type BenchVaeModel = 'vae' | 'cvae';

/** A VAE ready to train on fixed data. */
export interface VaeBenchTrainer {
  step(): VaeStepLosses;
  dispose(): void;
}

/** Builds the VAE `model` for batches of `batch` images (4 batches of random data, cycled). */
export function createVaeBenchTrainer(model: BenchVaeModel, batch: number): VaeBenchTrainer {
  const config = parseTrainConfig({
    dataset: { kind: 'mnist' },
    model,
    latentDim: LATENT_SIZE,
    batchSize: batch,
    lrG: 1e-3,
    lrD: 1e-3,
    beta1: 0.9,
  });
  const rng = new CounterRng(1);
  const n = 4 * batch;
  const pixels = Float32Array.from({ length: n * 784 }, () => 2 * rng.nextFloat() - 1);
  const data = inMemoryImages({
    pixels,
    shape: [...IMAGE_SHAPE],
    seed: 1,
    ...(model === 'cvae' ? { labels: Array.from({ length: n }, (_, i) => i % 10) } : {}),
  });
  const state = createTrainingState(config, data.shape, model === 'cvae' ? 10 : 0);
  return { step: () => vaeStep(state, data), dispose: () => disposeState(state) };
}
