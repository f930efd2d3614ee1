/**
 * A private run's mechanism, resolved once from its config and dataset: sampling rate, noise
 * multiplier (given, or derived from the target ε), and checks that the pairing is coherent.
 * TF-free apart from the accountant, so the trainer can show ε without a backend.
 */
import {
  ConfigError,
  meanEmbeddingDefaults,
  type PrivacyMechanism,
  type TrainConfig,
} from '../config.js';
import type { CheckpointPrivacy } from '../checkpoint/format.js';
import { noiseForEpsilon, RdpAccountant } from './rdp.js';

/** The mechanism a private run uses, and everything its accountant needs. */
export interface PrivacyPlan {
  /** `dp-sgd-d`: DP-SGD on D; `mean-embedding`: DP-MERF's single release. */
  mechanism: PrivacyMechanism;
  /** Poisson sampling rate of real images per D update: batchSize / dataset size (1 for the release). */
  sampleRate: number;
  noiseMultiplier: number;
  /** L2 bound of one example's contribution: C for DP-SGD, √2 for the mean embedding. */
  clipNorm: number;
  delta: number;
  /** The budget, when set. */
  targetEpsilon: number | undefined;
  onTarget: 'stop' | 'warn';
  /** Noised D updates per generator step (config.dSteps); 0 for the mean embedding. */
  noisedPerStep: number;
  /** mean-embedding: random Fourier frequencies and kernel length scale. */
  features?: number;
  bandwidth?: number;
  /** Whether the noise multiplier came from targetEpsilon. */
  derived: boolean;
  /**
   * Force one backward pass per example (privacy/dp-sgd.ts) even where the one-pass per-example
   * path serves D: the reference it is benchmarked against. Same sums either way.
   */
  microbatch?: boolean;
}

/**
 * The plan of a private run of `config` on `datasetSize` examples, or null for a non-private run.
 * `resumedNoise` (from a checkpoint) wins over a derived σ, so that a resume with a changed `steps`
 * keeps accounting for the noise actually used.
 * @throws ConfigError when the dataset makes the privacy block incoherent (δ not below 1/N, a
 *   batch as large as the dataset) or the target ε cannot be reached.
 */
export function planPrivacy(
  config: TrainConfig,
  datasetSize: number,
  resumedNoise?: number,
): PrivacyPlan | null {
  const p = config.privacy;
  if (p === undefined) return null;
  const mechanism = p.mechanism ?? 'dp-sgd-d';
  const issues: { path: string; message: string }[] = [];
  if (mechanism === 'dp-sgd-d' && config.batchSize >= datasetSize)
    issues.push({
      path: 'batchSize',
      message: `a private run samples batches from the dataset: batchSize ${config.batchSize} must be below the dataset size ${datasetSize}`,
    });
  if (p.delta >= 1 / datasetSize)
    issues.push({
      path: 'privacy.delta',
      message: `privacy.delta ${p.delta} must be below 1 / dataset size = ${(1 / datasetSize).toPrecision(3)} (a larger δ allows leaking whole examples)`,
    });
  if (issues.length > 0) throw new ConfigError(issues);
  // The mean embedding is one unsubsampled Gaussian mechanism: q = 1, one step.
  const release = mechanism === 'mean-embedding';
  const sampleRate = release ? 1 : config.batchSize / datasetSize;
  let noiseMultiplier = resumedNoise ?? p.noiseMultiplier;
  const derived = p.noiseMultiplier === undefined;
  if (noiseMultiplier === undefined) {
    const targetEpsilon = p.targetEpsilon as number;
    try {
      noiseMultiplier = noiseForEpsilon({
        targetEpsilon,
        delta: p.delta,
        sampleRate,
        steps: release ? 1 : config.steps * config.dSteps,
      });
    } catch (err) {
      throw new ConfigError([{ path: 'privacy.targetEpsilon', message: (err as Error).message }]);
    }
  }
  return {
    mechanism,
    sampleRate,
    noiseMultiplier,
    clipNorm: release ? Math.SQRT2 : p.clipNorm,
    delta: p.delta,
    targetEpsilon: p.targetEpsilon,
    onTarget: p.onTarget,
    noisedPerStep: release ? 0 : config.dSteps,
    derived,
    ...(release
      ? {
          features: p.features ?? meanEmbeddingDefaults.features,
          bandwidth: p.bandwidth ?? meanEmbeddingDefaults.bandwidth,
        }
      : {}),
  };
}

/**
 * Noised mechanism invocations composed by generator step `step`: DP-SGD's D updates, or the mean
 * embedding's single release (made before step 1, so counted from step 0 on).
 */
export function noisedStepsAt(plan: PrivacyPlan, step: number): number {
  return plan.mechanism === 'mean-embedding' ? 1 : step * plan.noisedPerStep;
}

/** An accountant for `plan`, at `step` generator steps. */
export function accountantFor(plan: PrivacyPlan, step = 0): RdpAccountant {
  const accountant = new RdpAccountant(plan.sampleRate, plan.noiseMultiplier);
  accountant.restore(noisedStepsAt(plan, step));
  return accountant;
}

/** `userDefinedMetadata.ganmod.privacy` of an exported generator. */
export interface ExportPrivacy {
  /** `dp-sgd-d` (DP-SGD on D) or `dp-merf` (one noisy mean embedding). */
  mechanism: 'dp-sgd-d' | 'dp-merf';
  epsilon: number;
  delta: number;
  noiseMultiplier: number;
  sampleRate: number;
  clipNorm: number;
  noisedSteps: number;
  features?: number;
  bandwidth?: number;
}

/**
 * The export record of a checkpoint's privacy record: the mechanism named as exports name it, and
 * no checkpoint-only fields (a mean-embedding run's stored release stays with the checkpoint).
 */
export function exportPrivacy(record: CheckpointPrivacy): ExportPrivacy {
  const { mechanism, release: _release, key: _key, ...rest } = record;
  return { ...rest, mechanism: mechanism === 'mean-embedding' ? 'dp-merf' : 'dp-sgd-d' };
}
