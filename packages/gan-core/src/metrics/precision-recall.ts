import { forEachDistanceBlock, kNearestNeighbors, type DistanceBlockOptions } from './neighbors.js';
import type { FeatureMatrix } from './stats/matrix.js';

/** Options of {@link precisionRecall}. */
export interface PrecisionRecallOptions extends DistanceBlockOptions {
  /** Neighbourhood size of the manifold estimate (default 3, the paper's choice). */
  readonly k?: number;
  /** Radii of the real set from {@link manifoldRadii} with the same k (reused across calls). */
  readonly realRadii?: Float64Array;
}

/** Improved precision and recall, with density and coverage from the same distances. */
export interface PrecisionRecall {
  /** Fraction of generated samples inside the real manifold: fidelity, in [0, 1]. */
  readonly precision: number;
  /** Fraction of real samples inside the generated manifold: diversity, in [0, 1]. */
  readonly recall: number;
  /**
   * Naeem et al. 2020: real balls containing a generated sample, counted with multiplicity, over
   * k x generated samples. ~1 when both sets match; robust to real outliers (unbounded above).
   */
  readonly density: number;
  /** Naeem et al. 2020: fraction of real balls that contain at least one generated sample, in [0, 1]. */
  readonly coverage: number;
  readonly k: number;
}

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
 * for Assessing Generative Models"). Each set's manifold is the union of balls around its samples
 * with radius the distance to the sample's k-th nearest neighbour in the same set; precision is the
 * share of generated samples inside the real manifold, recall the share of real samples inside the
 * generated one. Use equal-sized sets (the radii depend on the sample density). Precision is
 * sensitive to outliers of the real set (their balls are large); density and coverage (Naeem et
 * al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models") are computed from the
 * same distances and are not.
 */
export async function precisionRecall(
  real: FeatureMatrix,
  fake: FeatureMatrix,
  options: PrecisionRecallOptions = {},
): Promise<PrecisionRecall> {
  const k = options.k ?? 3;
  const realRadii = options.realRadii ?? (await manifoldRadii(real, k, options));
  if (realRadii.length !== real.rows) throw new RangeError('precisionRecall: realRadii length');
  const fakeRadii = await manifoldRadii(fake, k, options);
  const realR2 = realRadii.map((r) => r * r);
  const fakeR2 = fakeRadii.map((r) => r * r);
  const fakeInReal = new Uint8Array(fake.rows);
  const realInFake = new Uint8Array(real.rows);
  const realCovered = new Uint8Array(real.rows);
  let density = 0;
  // One pass over the fake x real distances answers all four questions.
  await forEachDistanceBlock(
    fake,
    real,
    (f0, fc, r0, rc, d2) => {
      for (let i = 0; i < fc; i++) {
        const fi = f0 + i;
        const fr = fakeR2[fi] as number;
        const row = i * rc;
        let balls = 0;
        for (let j = 0; j < rc; j++) {
          const v = d2[row + j] as number;
          if (v <= (realR2[r0 + j] as number)) {
            balls++;
            realCovered[r0 + j] = 1;
          }
          if (v <= fr) realInFake[r0 + j] = 1;
        }
        if (balls > 0) fakeInReal[fi] = 1;
        density += balls;
      }
    },
    options,
  );
  return {
    precision: mean(fakeInReal),
    recall: mean(realInFake),
    density: density / (k * fake.rows),
    coverage: mean(realCovered),
    k,
  };
}

/** Distance of every sample to its k-th nearest neighbour in the same set (the ball radii). */
export async function manifoldRadii(
  set: FeatureMatrix,
  k = 3,
  options: DistanceBlockOptions = {},
): Promise<Float64Array> {
  const nn = await kNearestNeighbors(set, set, k, { ...options, excludeSelf: true });
  const radii = new Float64Array(set.rows);
  for (let i = 0; i < set.rows; i++) radii[i] = nn.distances[i * k + k - 1] as number;
  return radii;
}

function mean(flags: Uint8Array): number {
  let s = 0;
  for (const f of flags) s += f;
  return flags.length === 0 ? Number.NaN : s / flags.length;
}
