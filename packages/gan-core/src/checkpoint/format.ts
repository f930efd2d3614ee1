/** On-disk layout of a training checkpoint and the error raised when one cannot be trusted. */
import type { TrainConfig } from '../config.js';
import type { RngState } from '../train/prng.js';

export const checkpointFormat = 'ganmod-gan-checkpoint';
export const checkpointVersion = 1;
export const manifestFile = 'manifest.json';

/** The weight groups a checkpoint holds, each in its own float32 little-endian file. */
export const weightGroups = [
  'generator',
  'discriminator',
  'generatorEma',
  'optimizerG',
  'optimizerD',
] as const;
export type WeightGroup = (typeof weightGroups)[number];

export const groupFiles: Record<WeightGroup, string> = {
  generator: 'generator.bin',
  discriminator: 'discriminator.bin',
  generatorEma: 'generator-ema.bin',
  optimizerG: 'optimizer-g.bin',
  optimizerD: 'optimizer-d.bin',
};

export interface TensorSpec {
  name: string;
  shape: number[];
}

export interface GroupEntry {
  file: string;
  bytes: number;
  sha256: string;
  tensors: TensorSpec[];
  /** Optimizer groups: Adam's iteration count. */
  iterations?: number;
}

export interface CheckpointManifest {
  format: typeof checkpointFormat;
  version: typeof checkpointVersion;
  step: number;
  createdAt: string;
  config: TrainConfig;
  /** The sample shape (`[h, w, c]`, or `[2]` for toy points) and class count the models were built for. */
  imageShape: [number, number, number] | [number];
  numClasses: number;
  rng: RngState;
  groups: Record<WeightGroup, GroupEntry>;
  /** Private runs: the mechanism's resolved parameters, so a resume accounts with the same ones. */
  privacy?: CheckpointPrivacy;
}

/** The file of a mean-embedding run's released vector (float64 little-endian). */
export const releaseFile = 'release.f64';

/** The file of a DP-SGD run's secret key of its sampling and noise (32 bytes). */
export const privacyKeyFile = 'privacy-key.bin';

/** What a private run's checkpoint records of its mechanism and spend. */
export interface CheckpointPrivacy {
  /** Absent in checkpoints written before the mean-embedding mechanism existed: dp-sgd-d. */
  mechanism?: 'dp-sgd-d' | 'mean-embedding';
  noiseMultiplier: number;
  sampleRate: number;
  clipNorm: number;
  delta: number;
  /** Noised discriminator updates so far (mean-embedding: 1, the release): the accountant's state. */
  noisedSteps: number;
  epsilon: number;
  /**
   * mean-embedding: the released noisy embedding, stored (file, float64 count, sha256) because its
   * noise is secret: a resume reads it back instead of querying the data again.
   */
  release?: { file: string; length: number; sha256: string };
  /**
   * dp-sgd-d: the secret key of the run's sampling and noise, stored beside the manifest
   * ({@link privacyKeyFile}, checked by its sha256) so a resume draws what the run would have.
   */
  key?: { file: string; sha256: string };
  /** mean-embedding: the public feature map's parameters (its frequencies come from the seed). */
  features?: number;
  bandwidth?: number;
}

/** A tensor's values as stored: float32 data with its shape. */
export interface StoredTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Everything needed to restore a run. */
export interface CheckpointData {
  step: number;
  config: TrainConfig;
  /** `[h, w, c]` for images, `[2]` for toy points. */
  imageShape: [number, number, number] | [number];
  /** 0 for unconditional models. */
  numClasses: number;
  rng: RngState;
  groups: Record<WeightGroup, { tensors: StoredTensor[]; iterations?: number }>;
  privacy?: CheckpointPrivacy;
  /** mean-embedding runs: the released vector (written to {@link releaseFile}). */
  release?: Float64Array;
  /** dp-sgd-d runs: the secret key of their sampling and noise ({@link privacyKeyFile}). */
  privacyKey?: Uint8Array;
}

/** A checkpoint is missing, corrupted, truncated, or belongs to a different run configuration. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(`checkpoint ${dir}: ${message}`);
  }
}

/** Directory name of the checkpoint for `step` (zero-padded so names sort by step). */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}
