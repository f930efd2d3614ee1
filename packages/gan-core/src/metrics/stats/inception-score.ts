import type { FeatureMatrix } from './matrix.js';
import { permutation, seededRandom } from './rng.js';
import { meanStd, type MeanStd } from './summary.js';

/** Options of {@link inceptionScore}; defaults follow torch-fidelity. */
export interface InceptionScoreOptions {
  /** Number of equal splits the score is computed on (default 10, fewer when samples are few). */
  readonly splits?: number;
  /** Shuffle the samples before splitting (default true). */
  readonly shuffle?: boolean;
  /** Seed of the shuffle (default 2020). */
  readonly seed?: number;
}

const LOG_FLOOR = 1e-12;

/**
 * Inception-Score-style score (Salimans et al. 2016, "Improved Techniques for Training GANs") from
 * class probabilities p(y|x), one row per sample:
 *
 *   IS = exp( E_x [ KL( p(y|x) || p(y) ) ] ),  p(y) = E_x p(y|x)
 *
 * computed per split (split boundaries i*N/splits, as torch-fidelity), reported as mean and
 * population std over splits. Ranges from 1 (every sample gets the same prediction) to the number
 * of classes (confident predictions spread evenly over all classes). With a dataset-specific
 * classifier instead of Inception v3 the value is only comparable between models scored by the
 * same classifier.
 */
export function inceptionScore(
  probabilities: FeatureMatrix,
  options: InceptionScoreOptions = {},
): MeanStd {
  const { rows: n, cols: c } = probabilities;
  const splits = Math.max(1, Math.min(options.splits ?? 10, n));
  if (n === 0) throw new RangeError('inceptionScore: no samples');
  const order =
    options.shuffle === false ? undefined : permutation(n, seededRandom(options.seed ?? 2020));
  const row = (i: number) => (order ? (order[i] as number) : i) * c;
  const p = probabilities.data;

  const scores = new Float64Array(splits);
  const marginal = new Float64Array(c);
  for (let s = 0; s < splits; s++) {
    const start = Math.floor((s * n) / splits);
    const end = Math.floor(((s + 1) * n) / splits);
    const count = end - start;
    marginal.fill(0);
    for (let i = start; i < end; i++) {
      const o = row(i);
      for (let k = 0; k < c; k++) marginal[k] = (marginal[k] as number) + (p[o + k] as number);
    }
    for (let k = 0; k < c; k++) marginal[k] = (marginal[k] as number) / count;
    let kl = 0;
    for (let i = start; i < end; i++) {
      const o = row(i);
      for (let k = 0; k < c; k++) {
        const pk = p[o + k] as number;
        // 0 * log 0 = 0; the floor only guards log against exact zeros.
        if (pk > 0)
          kl += pk * (Math.log(pk) - Math.log(Math.max(marginal[k] as number, LOG_FLOOR)));
      }
    }
    scores[s] = Math.exp(kl / count);
  }
  return meanStd(scores);
}
