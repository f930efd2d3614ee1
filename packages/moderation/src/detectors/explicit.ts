/** Explicit-image detector on top of the NSFW classifier, with skin-colour and second-view checks. */
import sharp from 'sharp';
import type { RgbImage } from '../input/decode.js';
import { loadNsfwClassifier, NSFW_CLASSES, type NsfwProbabilities } from '../nsfw/classifier.js';
import type { NsfwModelName } from '../nsfw/convert.js';
import { skinFraction } from '../nsfw/skin.js';
import { clampScore, type DetectorResult } from '../types.js';
import type { Detector } from './detector.js';

/** Options of {@link createExplicitDetector}. */
export interface ExplicitDetectorOptions {
  model?: NsfwModelName;
  batchSize?: number;
}

/**
 * nsfwjs' own verdict as one number: P(Porn) + P(Hentai) + 0.5 * P(Sexy). Porn and Hentai are
 * explicit; Sexy (swimwear, lingerie) is borderline, so it counts half: alone it tops out at 0.5.
 */
export function explicitScore(p: NsfwProbabilities): number {
  return clampScore(p.Porn + p.Hentai + 0.5 * p.Sexy);
}

/**
 * Constants of {@link explicitDecision}, chosen on the even-indexed half of the benign photo set
 * (`moderate eval --only explicit-benign` prints the curve; the odd half checks them).
 */
export const EXPLICIT_CALIBRATION = Object.freeze({
  /** Skin-pixel fraction at which colour fully supports the classifier (classic nude filters use 15%). */
  skinFull: 0.15,
  /**
   * Weight of the class score for a colour image without any skin-coloured pixel. With the default
   * REVIEW threshold (0.75) such an image is reviewed only when nsfwjs is all but certain (class
   * score ≥ 0.975); benign wood textures, flowers and abstract art reach 0.96 and are let through.
   */
  noSkinWeight: 0.77,
  /**
   * Weight for a colourless (grayscale) image: colour can neither confirm nor rule out skin, so a
   * class score ≥ 0.89 is reviewed (and never blocked: no skin confirmation).
   */
  colourlessWeight: 0.85,
  /** Class score from which a skin-bearing image is looked at a second time before it may BLOCK. */
  secondViewFrom: 0.8,
  /**
   * Ceiling of a score that was not confirmed by skin and a second view: under the default BLOCK
   * threshold (0.9), so such an image goes to REVIEW at most, never BLOCK.
   */
  unconfirmedMax: 0.89,
});

/** What {@link explicitDecision} reads. */
export interface ExplicitEvidence {
  /** The classifier's class probabilities for the image as posted. */
  probabilities: NsfwProbabilities;
  /** Skin-pixel fraction (see `skinFraction`), or null for a colourless image. */
  skin: number | null;
  /** Class probabilities of the second view (mirrored central 80% crop), when it was run. */
  secondView?: NsfwProbabilities;
}

/** How a score came about. */
export interface ExplicitVerdict {
  /** The detector score the policy's explicit thresholds apply to. */
  score: number;
  /** nsfwjs' verdict alone ({@link explicitScore}). */
  classScore: number;
  /** Multiplier from the skin evidence (1: fully supported). */
  weight: number;
  /** Skin-bearing and the second view agreed: the only scores that may reach BLOCK. */
  confirmed: boolean;
  /** Whether the detector should (or did) run the second view. */
  needsSecondView: boolean;
}

/**
 * The explicit score from nsfwjs' classes and the skin evidence:
 *
 * - weight = 1 for ≥ {@link EXPLICIT_CALIBRATION}.skinFull skin pixels, falling linearly to
 *   `noSkinWeight` at none (`colourlessWeight` for grayscale); score = class score × weight;
 * - only a skin-bearing image whose second view also has a class score ≥ `secondViewFrom` is
 *   confirmed (score = the lower of the two views' class scores); every other score is capped at
 *   `unconfirmedMax`, i.e. at most REVIEW under the default policy.
 *
 * Pure: unit-tested on probability vectors.
 */
export function explicitDecision(evidence: ExplicitEvidence): ExplicitVerdict {
  const c = EXPLICIT_CALIBRATION;
  const classScore = explicitScore(evidence.probabilities);
  const skin = evidence.skin;
  const weight =
    skin === null
      ? c.colourlessWeight
      : c.noSkinWeight + (1 - c.noSkinWeight) * Math.min(1, skin / c.skinFull);
  const needsSecondView = skin !== null && skin >= c.skinFull && classScore >= c.secondViewFrom;
  const second = evidence.secondView ? explicitScore(evidence.secondView) : undefined;
  const confirmed = needsSecondView && second !== undefined && second >= c.secondViewFrom;
  const score = confirmed
    ? Math.min(classScore, second)
    : Math.min(classScore * weight, c.unconfirmedMax);
  return { score: clampScore(score), classScore, weight, confirmed, needsSecondView };
}

/** The second view: the central 80% of each side, mirrored left-right. */
async function secondViewOf(image: RgbImage): Promise<RgbImage> {
  const width = Math.max(1, Math.round(image.width * 0.8));
  const height = Math.max(1, Math.round(image.height * 0.8));
  const data = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .extract({
      left: Math.floor((image.width - width) / 2),
      top: Math.floor((image.height - height) / 2),
      width,
      height,
    })
    .flop()
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data) };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Detector returning {@link explicitDecision}'s score with the class probabilities, the skin
 * fraction and the second view's verdict. The second view costs one more forward pass, only for
 * skin-bearing images nsfwjs already scores ≥ `secondViewFrom`.
 */
export function createExplicitDetector(options: ExplicitDetectorOptions = {}): Detector {
  const modelName = options.model ?? 'mobilenet_v2';
  return {
    name: 'nsfw-explicit',
    category: 'explicit',
    reads: 'image',
    async detect(inputs) {
      const classifier = await loadNsfwClassifier(modelName);
      const images = inputs.map((i) => i.image!);
      const probs = await classifier.classify(images, options.batchSize);
      const skins = images.map(skinFraction);
      const evidence: ExplicitEvidence[] = probs.map((p, k) => ({
        probabilities: p,
        skin: skins[k]!,
      }));
      const again = evidence.flatMap((e, k) => (explicitDecision(e).needsSecondView ? [k] : []));
      if (again.length > 0) {
        const views = await Promise.all(again.map((k) => secondViewOf(images[k]!)));
        const secondProbs = await classifier.classify(views, options.batchSize);
        again.forEach((k, j) => (evidence[k]!.secondView = secondProbs[j]));
      }
      return evidence.map((e): DetectorResult => {
        const p = e.probabilities;
        const top = [...NSFW_CLASSES].sort((a, b) => p[b] - p[a]);
        const v = explicitDecision(e);
        const classes = top.map((c) => `${c} ${pct(p[c])}`).join(', ');
        const skin = e.skin === null ? 'colourless image' : `skin ${pct(e.skin)}`;
        const second = e.secondView
          ? `; second view ${explicitScore(e.secondView).toFixed(2)}${v.confirmed ? ' (confirmed)' : ' (not confirmed)'}`
          : '';
        return {
          detector: 'nsfw-explicit',
          category: 'explicit',
          score: v.score,
          label: top[0]!,
          reason:
            `NSFW ${modelName}: explicit score ${v.score.toFixed(2)} from Porn + Hentai + 0.5*Sexy = ` +
            `${v.classScore.toFixed(2)}, ${skin} (weight ${v.weight.toFixed(2)})${second}; classes ${classes}`,
          details: {
            model: modelName,
            probabilities: p,
            classScore: v.classScore,
            skin: e.skin,
            confirmed: v.confirmed,
            ...(e.secondView ? { secondView: e.secondView } : {}),
          },
        };
      });
    },
  };
}
