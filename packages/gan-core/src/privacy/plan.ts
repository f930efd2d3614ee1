/**
 * A private run's mechanism, resolved once from its config and dataset: sampling rate, noise
 * multiplier (given, or derived from the target ε), and checks that the pairing is coherent.
 * TF-free apart from the accountant, so the trainer can show ε without a backend.
 */
import { ConfigError, type TrainConfig } from '../config.js';
import { noiseForEpsilon, RdpAccountant } from './rdp.js';

/** The DP-SGD mechanism a private run uses, and everything its accountant needs. */
export interface PrivacyPlan {
  /** Poisson sampling rate of real images per D update: batchSize / dataset size. */
  sampleRate: number;
  noiseMultiplier: number;
  clipNorm: number;
  delta: number;
  /** The budget, when set. */
  targetEpsilon: number | undefined;
  onTarget: 'stop' | 'warn';
  /** Noised D updates per generator step (config.dSteps). */
  noisedPerStep: number;
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
  const issues: { path: string; message: string }[] = [];
  if (config.batchSize >= datasetSize)
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
  const sampleRate = config.batchSize / datasetSize;
  let noiseMultiplier = resumedNoise ?? p.noiseMultiplier;
  const derived = p.noiseMultiplier === undefined;
  if (noiseMultiplier === undefined) {
    const targetEpsilon = p.targetEpsilon as number;
    try {
      noiseMultiplier = noiseForEpsilon({
        targetEpsilon,
        delta: p.delta,
        sampleRate,
        steps: config.steps * config.dSteps,
      });
    } catch (err) {
      throw new ConfigError([{ path: 'privacy.targetEpsilon', message: (err as Error).message }]);
    }
  }
  return {
    sampleRate,
    noiseMultiplier,
    clipNorm: p.clipNorm,
    delta: p.delta,
    targetEpsilon: p.targetEpsilon,
    onTarget: p.onTarget,
    noisedPerStep: config.dSteps,
    derived,
  };
}

/** An accountant for `plan`, at `step` generator steps. */
export function accountantFor(plan: PrivacyPlan, step = 0): RdpAccountant {
  const accountant = new RdpAccountant(plan.sampleRate, plan.noiseMultiplier);
  accountant.restore(step * plan.noisedPerStep);
  return accountant;
}
