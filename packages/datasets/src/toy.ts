/**
 * 2-D Gaussian mixtures used as mode-collapse benchmarks for GANs: a ring of 8 Gaussians
 * (radius 2, std 0.02, as in Metz et al., "Unrolled GANs") and a 5x5 grid of 25 Gaussians
 * (centres at -4..4 step 2, std 0.05, as in VEEGAN and PacGAN), plus the usual metric:
 * modes covered and the share of high-quality samples (within 3 std of a centre).
 */
import type * as tf from '@tensorflow/tfjs';
import { checkInteger, checkSplit } from './checks.js';
import {
  InMemoryDataset,
  type InMemoryDatasetInit,
  type PointDataset,
  type PointShape,
  type Split,
} from './dataset.js';
import { DatasetError } from './errors.js';
import { createRng } from './prng.js';
import type { LoadResult } from './report.js';

/** An equal-weight mixture of isotropic 2-D Gaussians. */
export interface GaussianMixture {
  /** `ring8` or `grid25`. */
  readonly name: string;
  /** Mode centres `[x, y]`; sample labels index into this. */
  readonly centres: readonly (readonly [x: number, y: number])[];
  /** Standard deviation of every component, per axis. */
  readonly std: number;
}

/** 8 Gaussians evenly spaced on a circle of radius 2, std 0.02. */
export const RING8: GaussianMixture = Object.freeze({
  name: 'ring8',
  centres: Object.freeze(
    Array.from({ length: 8 }, (_, k) => {
      const angle = (2 * Math.PI * k) / 8;
      return Object.freeze([2 * Math.cos(angle), 2 * Math.sin(angle)] as const);
    }),
  ),
  std: 0.02,
});

/** 25 Gaussians on the grid {-4, -2, 0, 2, 4}^2, std 0.05. */
export const GRID25: GaussianMixture = Object.freeze({
  name: 'grid25',
  centres: Object.freeze(
    [-4, -2, 0, 2, 4].flatMap((x) => [-4, -2, 0, 2, 4].map((y) => Object.freeze([x, y] as const))),
  ),
  std: 0.05,
});

/** A point dataset sampled from a {@link GaussianMixture}; labels are mode indices. */
export class ToyDataset extends InMemoryDataset<tf.Tensor2D, PointShape> implements PointDataset {
  readonly mixture: GaussianMixture;

  constructor(init: InMemoryDatasetInit<PointShape>, mixture: GaussianMixture) {
    super(init);
    this.mixture = mixture;
  }

  override take(n: number): ToyDataset {
    const head = super.take(n);
    return new ToyDataset(head, this.mixture);
  }
}

/** Options for {@link sampleMixture}. */
export interface ToyOptions {
  /** `train` (default) or `test`: drawn from differently derived seeds, so they differ. */
  split?: Split;
  /** Number of points. Default 20,000 for train, 2,500 for test (PacGAN's evaluation count). */
  limit?: number;
  /** Seed of the sampler (same seed, same points). Default 0. */
  seed?: number;
}

/**
 * Draw points from a mixture: a uniformly chosen mode, then Gaussian noise around its centre.
 * Points keep their native coordinates (not squashed into [-1, 1]): the benchmark's radii and
 * the 3-std quality threshold are defined there.
 */
export function sampleMixture(
  mixture: GaussianMixture,
  options: ToyOptions = {},
): LoadResult<ToyDataset> {
  const started = performance.now();
  const split = checkSplit(options.split ?? 'train');
  const count = checkInteger(options.limit ?? (split === 'train' ? 20_000 : 2_500), 'limit');
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed))
    throw new DatasetError(`seed must be a finite number, got ${seed}`, { field: 'seed' });
  // Test points come from another stream so they are not a prefix of the train points.
  const rng = createRng(split === 'train' ? seed : seed + 0x51ed27);
  const data = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const mode = rng.int(mixture.centres.length);
    const [cx, cy] = mixture.centres[mode]!;
    data[2 * i] = cx + mixture.std * rng.normal();
    data[2 * i + 1] = cy + mixture.std * rng.normal();
    labels[i] = mode;
  }
  const dataset = new ToyDataset(
    {
      name: mixture.name,
      split,
      shape: [2],
      classNames: mixture.centres.map((_, k) => `mode-${k}`),
      data,
      labels,
    },
    mixture,
  );
  return {
    dataset,
    report: {
      source: `sampled (seed ${seed})`,
      loaded: count,
      skipped: [],
      elapsedMs: performance.now() - started,
    },
  };
}

/** Options for {@link modeCoverage}. */
export interface ModeCoverageOptions {
  /**
   * A mode counts as covered when at least this many high-quality samples are nearest to it.
   * Default: 20% of a perfect generator's share, `max(1, floor(0.2 * n / modes))`, which is
   * PacGAN's "20 of 2,500 samples on 25 modes".
   */
  minSamplesPerMode?: number;
  /** A sample is high-quality within this many std of its nearest centre. Default 3. */
  stdMultiple?: number;
}

/** Result of {@link modeCoverage}. */
export interface ModeCoverage {
  /** Modes with at least `minSamplesPerMode` high-quality samples. */
  modesCovered: number;
  /** Modes in the mixture. */
  modeCount: number;
  /** Share of all samples within `stdMultiple` std of their nearest centre. */
  highQualityFraction: number;
  /** High-quality samples nearest to each mode. */
  samplesPerMode: Int32Array;
  /** Samples evaluated. */
  sampleCount: number;
  /** The threshold used. */
  minSamplesPerMode: number;
}

/**
 * Mode-collapse metric for the toy mixtures: how many modes generated samples cover and which
 * share of samples is high quality (within `stdMultiple` std of the nearest centre).
 * @param samples - `[n, 2]` points, as a tensor (read, not disposed) or flat `x, y` pairs.
 * @param target - the mixture, or a {@link ToyDataset} sampled from it.
 */
export function modeCoverage(
  samples: tf.Tensor2D | ArrayLike<number>,
  target: GaussianMixture | { readonly mixture: GaussianMixture },
  options: ModeCoverageOptions = {},
): ModeCoverage {
  const mixture = 'mixture' in target ? target.mixture : target;
  let flat: ArrayLike<number>;
  if ('dataSync' in samples) {
    if (samples.rank !== 2 || samples.shape[1] !== 2) {
      throw new DatasetError(`samples must have shape [n, 2], got [${samples.shape.join(', ')}]`, {
        field: 'samples',
      });
    }
    flat = samples.dataSync();
  } else {
    if (samples.length % 2 !== 0) {
      throw new DatasetError(`samples must hold x, y pairs; got an odd length ${samples.length}`, {
        field: 'samples',
      });
    }
    flat = samples;
  }
  const sampleCount = flat.length / 2;
  const modeCount = mixture.centres.length;
  const stdMultiple = options.stdMultiple ?? 3;
  if (!(stdMultiple > 0)) {
    throw new DatasetError(`stdMultiple must be > 0, got ${stdMultiple}`, { field: 'stdMultiple' });
  }
  const minSamplesPerMode =
    options.minSamplesPerMode === undefined
      ? Math.max(1, Math.floor((0.2 * sampleCount) / modeCount))
      : checkInteger(options.minSamplesPerMode, 'minSamplesPerMode');
  const maxDistanceSq = (stdMultiple * mixture.std) ** 2;
  const samplesPerMode = new Int32Array(modeCount);
  let highQuality = 0;
  for (let i = 0; i < sampleCount; i++) {
    const x = flat[2 * i]!;
    const y = flat[2 * i + 1]!;
    let best = -1;
    let bestSq = Infinity;
    mixture.centres.forEach(([cx, cy], k) => {
      const d = (x - cx) ** 2 + (y - cy) ** 2;
      if (d < bestSq) {
        bestSq = d;
        best = k;
      }
    });
    // NaN samples (a diverged generator) never pass this test, so they count as low quality.
    if (bestSq <= maxDistanceSq) {
      highQuality++;
      samplesPerMode[best]!++;
    }
  }
  return {
    modesCovered: samplesPerMode.reduce((n, c) => n + (c >= minSamplesPerMode ? 1 : 0), 0),
    modeCount,
    highQualityFraction: sampleCount === 0 ? 0 : highQuality / sampleCount,
    samplesPerMode,
    sampleCount,
    minSamplesPerMode,
  };
}
