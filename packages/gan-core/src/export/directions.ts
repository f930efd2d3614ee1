/**
 * Named latent directions (GANSpace, Härkönen et al. 2020) of a generator: the principal directions
 * of its first layer's response to z, each named by the image statistic it measurably changes most.
 *
 * Every generator here starts with a dense layer on z (and, conditional ones, the one-hot label
 * concatenated after it). For a linear first layer and z ~ N(0, I), the covariance of its output
 * is K_zᵀK_z, so GANSpace's PCA of first-layer features mapped back to z is exactly the
 * eigenvectors of K_z·K_zᵀ, with the eigenvalues as the explained variance: no sampling needed.
 */
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { writeFileSynced } from '../checkpoint/synced-write.js';
import { symmetricEigen } from '../metrics/stats/eigen.js';
import { selfConditioningThresholds } from '../models/self-conditioned.js';
import { generate, generatorSignature } from '../sampling/sample.js';
import { CounterRng } from '../train/prng.js';

/** Statistics of an image batch that a direction can move, each per image. */
export const directionStats = [
  'ink',
  'inkArea',
  'slant',
  'width',
  'height',
  'centreX',
  'centreY',
  'redBlue',
] as const;
export type DirectionStat = (typeof directionStats)[number];

/** What each statistic means, for labels and docs. */
export const directionStatMeaning: Record<DirectionStat, string> = {
  ink: 'mean brightness',
  inkArea: 'fraction of lit pixels (stroke thickness / size)',
  slant: 'shear μ11/μ02 of the brightness (slant to the right)',
  width: 'horizontal spread √μ20 (px)',
  height: 'vertical spread √μ02 (px)',
  centreX: 'centre of brightness, x (px)',
  centreY: 'centre of brightness, y (px)',
  redBlue: 'mean red minus mean blue (colour images)',
};

/** One principal direction: unit vector in z, its share of first-layer variance and its effects. */
export interface LatentDirection {
  /** `<stat> +` or `<stat> -`: the statistic it moves most, by standardised effect, and which way. */
  name: string;
  vector: number[];
  /** Fraction of the first layer's variance along it. */
  variance: number;
  /**
   * Per statistic: mean change from z - 3·v to z + 3·v over the probe latents, divided by the
   * statistic's standard deviation across the probe images (an effect size).
   */
  effects: Partial<Record<DirectionStat, number>>;
  /** The raw mean change of the naming statistic, in its own unit. */
  change: number;
  /** How the metric classifier's verdict moves from z - 3·v to z + 3·v (when one was given). */
  classShift?: ClassShift;
}

/**
 * The change of the dataset classifier's class probabilities between z - span·v and z + span·v
 * over the probes (conditional generators: each probe's label held fixed, so a large shift means
 * v changes what the generator draws despite the label: identity, not style).
 */
export interface ClassShift {
  /** Mean total-variation distance ½·Σ|p₊ - p₋| between the two class distributions, in [0, 1]. */
  tv: number;
  /** Share of probes whose most probable class differs between the two ends. */
  flipped: number;
  /** The class whose mean probability rises most from -v to +v, and by how much. */
  rises: { class: string; by: number };
  /** The class whose mean probability falls most from -v to +v, and by how much (negative). */
  falls: { class: string; by: number };
  /** Conditional generators: mean probability of each probe's own label at -v and at +v. */
  labelProbability?: [number, number];
}

/**
 * A classifier of the generator's images, e.g. the dataset's metric classifier
 * ({@link FeatureExtractor} fits): `model` maps `[n, h, w, c]` images in [-1, 1] to class
 * probabilities `[n, classes]`.
 */
export interface DirectionClassifier {
  readonly model: tf.LayersModel;
  readonly info: { readonly key: string; readonly classNames: readonly string[] };
}

/**
 * Mean TV distance from which a direction is named by its class change (`class 1→7`) rather than by
 * an image statistic: at 0.3 the classifier's verdict moves by a third of its mass on average,
 * which no pure style change (slant, thickness) does to a good MNIST classifier.
 */
export const CLASS_SHIFT_NAMING_TV = 0.3;

/** What is stored beside an export as `directions.json`. */
export interface LatentDirections {
  method: 'ganspace-first-layer';
  latentDim: number;
  /** The dense layer whose response was decomposed. */
  layer: string;
  /** Step length (in units of z's std) the effects were measured over, each way. */
  span: number;
  probes: number;
  /** The classifier the class shifts were measured with (absent: none were measured). */
  classifier?: { key: string; classNames: string[] };
  directions: LatentDirection[];
}

export const directionsFile = 'directions.json';

/**
 * The first trainable dense kernel that reads z: rows 0..latentDim-1 are z's (labels, or a
 * self-conditioned G's cluster code, follow z). A self-conditioned G's frozen code layer is
 * skipped, and z[0]'s row is zeroed: z[0] picks the cluster, so a direction along it would jump
 * between clusters rather than move within one.
 */
function firstLayerKernel(
  generator: tf.LayersModel,
  latentDim: number,
  numClasses: number,
): { layer: string; kernel: Float32Array; units: number } {
  const cuts = selfConditioningThresholds(generator);
  const extra = numClasses + (cuts?.length ?? 0);
  for (const layer of generator.layers) {
    if (!layer.trainable) continue;
    const [w] = layer.getWeights();
    if (w === undefined || w.rank !== 2) continue;
    const [rows, units] = w.shape as [number, number];
    if (rows !== latentDim && rows !== latentDim + extra) continue;
    const kernel = (w.dataSync() as Float32Array).slice(0, latentDim * units);
    if (cuts !== null) kernel.fill(0, 0, units);
    return { layer: layer.name, kernel, units };
  }
  throw new Error(`${generator.name} has no dense first layer on z to decompose`);
}

/** Per-image statistics of `images` ([n, h, w, c] in [-1, 1]), each as an array of n values. */
export function imageStats(images: tf.Tensor4D): Record<DirectionStat, Float64Array> {
  const [n, h, w, c] = images.shape;
  const data = images.dataSync();
  const out = Object.fromEntries(directionStats.map((s) => [s, new Float64Array(n)])) as Record<
    DirectionStat,
    Float64Array
  >;
  for (let i = 0; i < n; i++) {
    let mass = 0;
    let sx = 0;
    let sy = 0;
    let lit = 0;
    let red = 0;
    let blue = 0;
    const wts = new Float64Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let v = 0;
        for (let k = 0; k < c; k++) {
          const p = ((data[((i * h + y) * w + x) * c + k] as number) + 1) / 2;
          v += p;
          if (k === 0) red += p;
          if (k === 2) blue += p;
        }
        v /= c;
        wts[y * w + x] = v;
        mass += v;
        sx += v * x;
        sy += v * y;
        if (v > 0.5) lit += 1;
      }
    const cx = mass > 0 ? sx / mass : w / 2;
    const cy = mass > 0 ? sy / mass : h / 2;
    let m20 = 0;
    let m02 = 0;
    let m11 = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v = wts[y * w + x] as number;
        m20 += v * (x - cx) ** 2;
        m02 += v * (y - cy) ** 2;
        m11 += v * (x - cx) * (y - cy);
      }
    const norm = mass > 0 ? mass : 1;
    out.ink[i] = mass / (h * w);
    out.inkArea[i] = lit / (h * w);
    // Image y grows downwards: a stroke leaning right has x falling as y grows, so μ11 < 0.
    out.slant[i] = m02 > 0 ? -m11 / m02 : 0;
    out.width[i] = Math.sqrt(m20 / norm);
    out.height[i] = Math.sqrt(m02 / norm);
    out.centreX[i] = cx;
    out.centreY[i] = cy;
    out.redBlue[i] = c >= 3 ? (red - blue) / (h * w) : 0;
  }
  return out;
}

const mean = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return a.length === 0 ? 0 : s / a.length;
};
const std = (a: ArrayLike<number>): number => {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] as number) - m) ** 2;
  return Math.sqrt(s / Math.max(1, a.length - 1));
};

/**
 * Class probabilities of `images` by `classifier`, row-major `[n, classes]`; checks the width.
 */
function classProbabilities(classifier: DirectionClassifier, images: tf.Tensor4D): Float32Array {
  const probabilities = tf.tidy(() => classifier.model.predict(images) as tf.Tensor);
  try {
    const classes = classifier.info.classNames.length;
    if (probabilities.shape[1] !== classes)
      throw new RangeError(
        `classifier ${classifier.info.key} gives ${probabilities.shape[1]} probabilities, not ${classes}`,
      );
    return probabilities.dataSync() as Float32Array;
  } finally {
    probabilities.dispose();
  }
}

/** {@link ClassShift} between probability rows `minus` and `plus` (same probes, same order). */
export function classShift(
  minus: Float32Array,
  plus: Float32Array,
  classNames: readonly string[],
  labels?: readonly number[],
): ClassShift {
  const k = classNames.length;
  const n = minus.length / k;
  const meanDelta = new Float64Array(k);
  let tv = 0;
  let flipped = 0;
  let ownMinus = 0;
  let ownPlus = 0;
  for (let i = 0; i < n; i++) {
    let distance = 0;
    let argMinus = 0;
    let argPlus = 0;
    for (let c = 0; c < k; c++) {
      const a = minus[i * k + c] as number;
      const b = plus[i * k + c] as number;
      distance += Math.abs(b - a);
      meanDelta[c] = (meanDelta[c] as number) + (b - a) / n;
      if (a > (minus[i * k + argMinus] as number)) argMinus = c;
      if (b > (plus[i * k + argPlus] as number)) argPlus = c;
    }
    tv += distance / 2 / n;
    if (argMinus !== argPlus) flipped += 1 / n;
    const label = labels?.[i];
    if (label !== undefined) {
      ownMinus += (minus[i * k + label] as number) / n;
      ownPlus += (plus[i * k + label] as number) / n;
    }
  }
  let up = 0;
  let down = 0;
  for (let c = 1; c < k; c++) {
    if ((meanDelta[c] as number) > (meanDelta[up] as number)) up = c;
    if ((meanDelta[c] as number) < (meanDelta[down] as number)) down = c;
  }
  return {
    tv,
    flipped,
    rises: { class: classNames[up] as string, by: meanDelta[up] as number },
    falls: { class: classNames[down] as string, by: meanDelta[down] as number },
    ...(labels === undefined ? {} : { labelProbability: [ownMinus, ownPlus] }),
  };
}

/**
 * The top `count` GANSpace directions of an image generator, each measured on `probes` latents
 * (seeded; conditional generators get random labels) and named by its largest effect. With a
 * `classifier` of the generator's images (the dataset's metric classifier), each direction also
 * gets its {@link ClassShift}, and one that moves the classifier's verdict by a mean TV distance of
 * at least {@link CLASS_SHIFT_NAMING_TV} is named by it (`class 1→7`) instead.
 */
export function latentDirections(
  generator: tf.LayersModel,
  opts: {
    count?: number;
    probes?: number;
    span?: number;
    seed?: number;
    classifier?: DirectionClassifier;
  } = {},
): LatentDirections {
  const { classifier } = opts;
  const { latentDim, numClasses } = generatorSignature(generator);
  const count = Math.min(opts.count ?? 5, latentDim);
  const probes = opts.probes ?? 64;
  const span = opts.span ?? 3;
  const { layer, kernel, units } = firstLayerKernel(generator, latentDim, numClasses);
  // K_z·K_zᵀ, latentDim x latentDim.
  const gram = new Float64Array(latentDim * latentDim);
  for (let a = 0; a < latentDim; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let u = 0; u < units; u++)
        s += (kernel[a * units + u] as number) * (kernel[b * units + u] as number);
      gram[a * latentDim + b] = s;
      gram[b * latentDim + a] = s;
    }
  const { values, vectors } = symmetricEigen(gram, latentDim);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);

  const rng = new CounterRng((opts.seed ?? 1) >>> 0);
  const labels =
    numClasses > 0 ? Array.from({ length: probes }, () => rng.nextInt(numClasses)) : undefined;
  const base: tf.Tensor2D = tf.randomNormal([probes, latentDim], 0, 1, 'float32', rng.nextSeed());
  const baseImages = generate(generator, base, labels);
  const baseStats = imageStats(baseImages);
  baseImages.dispose();
  const directions: LatentDirection[] = [];
  for (let j = 0; j < count; j++) {
    const col = latentDim - 1 - j; // eigenvalues ascend
    const vector = Array.from(
      { length: latentDim },
      (_, r) => vectors[r * latentDim + col] as number,
    );
    const probabilities: Float32Array[] = [];
    const stats = [-span, span].map((t) => {
      const images = tf.tidy(() =>
        generate(generator, tf.add(base, tf.mul(tf.tensor2d([vector]), t)), labels),
      );
      try {
        if (classifier !== undefined) probabilities.push(classProbabilities(classifier, images));
        return imageStats(images);
      } finally {
        images.dispose();
      }
    }) as [Record<DirectionStat, Float64Array>, Record<DirectionStat, Float64Array>];
    const shift =
      classifier === undefined
        ? undefined
        : classShift(
            probabilities[0] as Float32Array,
            probabilities[1] as Float32Array,
            classifier.info.classNames,
            labels,
          );
    const effects: Partial<Record<DirectionStat, number>> = {};
    let best: { stat: DirectionStat; effect: number; change: number } | null = null;
    for (const stat of directionStats) {
      const spread = std(baseStats[stat]);
      if (!(spread > 1e-9)) continue;
      const change = mean(stats[1][stat]) - mean(stats[0][stat]);
      const effect = change / spread;
      effects[stat] = effect;
      if (best === null || Math.abs(effect) > Math.abs(best.effect))
        best = { stat, effect, change };
    }
    // A direction that changes what is drawn is named by that; one with no measurable effect
    // keeps a neutral name.
    const name =
      shift !== undefined && shift.tv >= CLASS_SHIFT_NAMING_TV
        ? `class ${shift.falls.class}→${shift.rises.class}`
        : best === null
          ? `direction ${j + 1}`
          : `${best.stat} ${best.effect >= 0 ? '+' : '-'}`;
    directions.push({
      name,
      vector,
      variance: total > 0 ? Math.max(0, values[col] as number) / total : 0,
      effects,
      change: best?.change ?? 0,
      ...(shift === undefined ? {} : { classShift: shift }),
    });
  }
  base.dispose();
  return {
    method: 'ganspace-first-layer',
    latentDim,
    layer,
    span,
    probes,
    ...(classifier === undefined
      ? {}
      : { classifier: { key: classifier.info.key, classNames: [...classifier.info.classNames] } }),
    directions,
  };
}

/**
 * Computes {@link latentDirections} for `generator` and writes them to `dir`/directions.json
 * (beside an export's model.json). Point generators (toy-mlp) get none: returns null.
 */
export async function writeLatentDirections(
  generator: tf.LayersModel,
  dir: string,
  opts: Parameters<typeof latentDirections>[1] = {},
): Promise<LatentDirections | null> {
  if (generator.outputs[0]?.shape.length !== 4) return null;
  const directions = latentDirections(generator, opts);
  await writeFileSynced(
    join(dir, directionsFile),
    new TextEncoder().encode(JSON.stringify(directions, null, 2)),
  );
  return directions;
}
