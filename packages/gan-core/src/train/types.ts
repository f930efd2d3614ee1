/** Public types of the training loop: options, callbacks and the result. */
import type { Dataset } from '@ganmod/datasets';
import type * as tf from '@tensorflow/tfjs';

import type { BackendName } from '../backend/index.js';
import type { TrainConfig } from '../config.js';
import type { TrainingData } from './data.js';
import type { StepLosses } from './step.js';
import type { MeanEmbeddingStepLosses } from './mean-embedding-step.js';
import type { VaeStepLosses } from './vae-step.js';

export interface StepEvent {
  /** Completed generator updates (1-based). */
  step: number;
  /**
   * A GAN's `d`/`g` (and penalties), a VAE's `loss`/`recon`/`kl`/`elbo`, or a mean-embedding
   * (DP-MERF) run's `mmd`.
   */
  losses: StepLosses | VaeStepLosses | MeanEmbeddingStepLosses;
  /** Throughput over the recent steps. */
  stepsPerSec: number;
  /** Private runs: the privacy spent so far. */
  privacy?: PrivacySpend;
}

/**
 * A private run's spend: ε at the configured δ after `noisedSteps` noised D updates (DP-SGD) or
 * the one release (DP-MERF: `noisedSteps` 1, `sampleRate` 1, `clipNorm` the sensitivity √2).
 */
export interface PrivacySpend {
  /** What exports record as `privacy.mechanism`. */
  mechanism: 'dp-sgd-d' | 'dp-merf';
  epsilon: number;
  delta: number;
  noisedSteps: number;
  noiseMultiplier: number;
  sampleRate: number;
  clipNorm: number;
  /** DP-MERF: random Fourier frequencies and kernel length scale of the released embedding. */
  features?: number;
  bandwidth?: number;
}

export interface SamplesEvent {
  step: number;
  /**
   * `grid` for image models; `scatter` for toy-mlp, whose samples are 2-D points: a scatter plot of
   * real points (grey) and generated points (coloured).
   */
  kind: 'grid' | 'scatter';
  /** The sample grid (conditional models: one row per class) or the scatter plot, as PNG bytes. */
  png: Uint8Array;
  /**
   * The generated samples shown: images `[n, h, w, c]` in [-1, 1], or points `[n, 2]` in the data's
   * coordinates for a scatter plot; disposed when the callback returns.
   */
  images: tf.Tensor4D | tf.Tensor2D;
  /** Grid columns; 0 for a scatter plot. */
  cols: number;
}

export interface CheckpointEvent {
  step: number;
  /** The checkpoint directory, complete and verified-writable when this fires. */
  dir: string;
}

export interface EvalContext {
  step: number;
  config: TrainConfig;
  /**
   * The EMA generator in inference mode, its batch-norm statistics recomputed for its weights on
   * first access (about 0.4 s for the MNIST DCGAN). Do not dispose it.
   */
  readonly generator: tf.LayersModel;
  /**
   * `n` images from the EMA generator with latent `seed` (random classes for conditional models).
   * Throws for toy-mlp runs, whose generator outputs points: use `samplePoints`.
   */
  sample: (n: number, seed: number) => tf.Tensor4D;
  /**
   * `n` points `[n, 2]` from the EMA generator of a toy-mlp run with latent `seed` (e.g. for
   * `modeCoverage` of @ganmod/datasets). Throws for image models.
   */
  samplePoints: (n: number, seed: number) => tf.Tensor2D;
}

/** Callbacks may be async: the loop awaits them before the next step. */
export interface TrainCallbacks {
  onStep?(event: StepEvent): void | Promise<void>;
  onSamples?(event: SamplesEvent): void | Promise<void>;
  onCheckpoint?(event: CheckpointEvent): void | Promise<void>;
  /** Every `evalEvery` steps: the slot for quality metrics (FID, KID, ...). Returned numbers are logged. */
  onEval?(
    context: EvalContext,
  ): void | Record<string, number> | Promise<void | Record<string, number>>;
}

/** Minimal structured logger; `console` fits. */
export interface TrainLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface TrainOptions {
  /**
   * The training data: a {@link TrainingData} source (images, or 2-D points for toy-mlp), or a
   * `@ganmod/datasets` dataset of either kind (shuffled with the config's seed).
   */
  dataset: TrainingData | Dataset;
  callbacks?: TrainCallbacks;
  /** Checked after every step: the run stops after the current step with status 'cancelled'. */
  signal?: AbortSignal;
  /** Where checkpoints are written (`step-NNNNNNNNN/` directories); none are written without it. */
  checkpointDir?: string;
  /** A checkpoint directory to continue from; it must come from a run with the same trajectory config. */
  resumeFrom?: string;
  logger?: TrainLogger;
  /**
   * TF.js backend: `'auto'` (default) runs `initBackend()` (tfjs-node -> wasm with the project's
   * kernels -> cpu, honouring GANMOD_BACKEND); a name forces that backend; `'current'` keeps
   * whatever the caller already set up.
   */
  backend?: 'auto' | 'current' | BackendName;
}

export type TrainStatus = 'completed' | 'cancelled' | 'diverged';

export interface TrainResult {
  status: TrainStatus;
  /** Completed generator updates. */
  step: number;
  /** Why a run diverged. */
  reason?: string;
  /** The last checkpoint written, if any. */
  checkpoint?: string;
  /** Private runs: what the run spent. */
  privacy?: PrivacySpend;
}
