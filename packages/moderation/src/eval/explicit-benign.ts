/**
 * False positives of the explicit detector on real photographs that are all harmless (the benign set
 * of `photo-set.ts`, several views each). Photos alternate between a fit half (where the detector's
 * constants were chosen) and a held-out half (which checks them); a photo's views stay together.
 */
import { createExplicitDetector } from '../detectors/explicit.js';
import { decodeBytes } from '../pdq/image.js';
import { actionFor, DEFAULT_POLICY, type Action, type Policy } from '../policy/policy.js';
import type { DetectorResult } from '../types.js';
import { BENIGN_VIEWS, benignPhotos } from './photo-set.js';

/** Which half of the benign set a photo belongs to. */
export type BenignHalf = 'fit' | 'held-out';

/**
 * The policy before the skin and second-view checks (2026-11-28.1: explicit REVIEW 0.6, BLOCK 0.9),
 * applied to nsfwjs' class score: how the detector behaved before.
 */
export const POLICY_BEFORE: Policy = Object.freeze({
  ...DEFAULT_POLICY,
  version: '2026-11-28.1',
  thresholds: { ...DEFAULT_POLICY.thresholds, explicit: { review: 0.6, block: 0.9 } },
});

/** One scored view of one benign photo. */
export interface BenignScore {
  path: string;
  view: string;
  half: BenignHalf;
  /** nsfwjs' classes alone (Porn + Hentai + 0.5 Sexy): the detector's score before skin checks. */
  classScore: number;
  /** The detector's score now. */
  score: number;
  skin: number | null;
  confirmed: boolean;
  /** {@link POLICY_BEFORE}'s action on the class score alone (the detector before this change). */
  before: Action;
  /** The policy's action on the detector's score. */
  after: Action;
}

/** Options of {@link scoreBenignPhotos}. */
export interface BenignOptions {
  paths?: readonly string[];
  /** View names from {@link BENIGN_VIEWS} (default: all). */
  views?: readonly string[];
  policy?: Policy;
  log?: (line: string) => void;
}

/** Scores every view of every benign photo with the shipped explicit detector. */
export async function scoreBenignPhotos(options: BenignOptions = {}): Promise<BenignScore[]> {
  const paths = options.paths ?? benignPhotos();
  const views = options.views ?? Object.keys(BENIGN_VIEWS);
  const policy = options.policy ?? DEFAULT_POLICY;
  const detector = createExplicitDetector();
  const out: BenignScore[] = [];
  for (const [i, path] of paths.entries()) {
    const images = await Promise.all(
      views.map(async (v) => decodeBytes(await BENIGN_VIEWS[v]!(path))),
    );
    const results = await detector.detect(
      images.map((image, k) => ({ externalId: `${path}#${views[k]}`, image })),
    );
    results.forEach((r, k) => {
      const details = r.details as { classScore: number; skin: number | null; confirmed: boolean };
      const asBefore: DetectorResult = { ...r, score: details.classScore };
      out.push({
        path,
        view: views[k]!,
        half: i % 2 === 0 ? 'fit' : 'held-out',
        classScore: details.classScore,
        score: r.score,
        skin: details.skin,
        confirmed: details.confirmed,
        before: actionFor(POLICY_BEFORE, asBefore),
        after: actionFor(policy, r),
      });
    });
    options.log?.(`explicit-benign: ${i + 1}/${paths.length} photos`);
  }
  return out;
}

/** REVIEW and BLOCK counts of a set of scores, before and after. */
export interface BenignCounts {
  images: number;
  photos: number;
  before: { review: number; block: number };
  after: { review: number; block: number };
}

/** Counts actions in `scores` (optionally one half). */
export function benignCounts(scores: readonly BenignScore[], half?: BenignHalf): BenignCounts {
  const s = half ? scores.filter((x) => x.half === half) : scores;
  const n = (key: 'before' | 'after', a: Action) => s.filter((x) => x[key] === a).length;
  return {
    images: s.length,
    photos: new Set(s.map((x) => x.path)).size,
    before: { review: n('before', 'REVIEW'), block: n('before', 'BLOCK') },
    after: { review: n('after', 'REVIEW'), block: n('after', 'BLOCK') },
  };
}

/**
 * The calibration curve: share of benign images at or above each threshold, for the class score
 * alone and for the detector's score, on each half.
 */
export function benignCurve(
  scores: readonly BenignScore[],
  thresholds: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.85, 0.89, 0.9, 0.95],
): { threshold: number; classFit: number; classHeldOut: number; fit: number; heldOut: number }[] {
  const rate = (half: BenignHalf, key: 'classScore' | 'score', t: number) => {
    const s = scores.filter((x) => x.half === half);
    return s.length === 0 ? NaN : s.filter((x) => x[key] >= t).length / s.length;
  };
  return thresholds.map((t) => ({
    threshold: t,
    classFit: rate('fit', 'classScore', t),
    classHeldOut: rate('held-out', 'classScore', t),
    fit: rate('fit', 'score', t),
    heldOut: rate('held-out', 'score', t),
  }));
}
