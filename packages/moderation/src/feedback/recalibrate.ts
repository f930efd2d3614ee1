/**
 * Learning from moderators: recalibrate policy thresholds from reviewed items, and retrain the
 * caption spam model with the reviewed captions.
 */
import { ModerationConfigError } from '../errors.js';
import {
  type ScoredLabel,
  averagePrecision,
  bestF1Threshold,
  metricsAt,
  thresholdForPrecision,
  type ThresholdMetrics,
} from '../metrics/ranking.js';
import { parsePolicy, type Policy } from '../policy/policy.js';
import { defaultSpamModel } from '../text/default-spam-model.js';
import { NaiveBayesSpamModel } from '../text/naive-bayes.js';
import type { DetectorCategory } from '../contract/vocabulary.js';
import type { DetectorResult } from '../types.js';

/** Categories whose thresholds can be recalibrated. */
export type CalibratedCategory = keyof Policy['thresholds'];
const CALIBRATED: readonly CalibratedCategory[] = ['abuse', 'spam', 'explicit', 'synthetic'];

/** One item a moderator reviewed. */
export interface ModeratorFeedback {
  externalId: string;
  caption?: string;
  /** The scores the item got (from its decision's `results`). */
  results: readonly Pick<DetectorResult, 'detector' | 'category' | 'score'>[];
  /** Categories the moderator confirmed as violations; every other scored category was fine. */
  violations: readonly DetectorCategory[];
}

/** Options of {@link recalibratePolicy}. */
export interface RecalibrateOptions {
  /** BLOCK acts without a human: pick the lowest threshold with at least this precision (0.95). */
  blockPrecision?: number;
  /** Categories with fewer reviewed items or no positives are left as they are (default 20). */
  minExamples?: number;
  /** Version of the new policy; default `<old>+recal.<n items>`. */
  version?: string;
}

/** What changed for one category, with the evidence. */
export interface ThresholdChange {
  category: CalibratedCategory;
  examples: number;
  positives: number;
  before: { review: number; block: number };
  after: { review: number; block: number };
  review: ThresholdMetrics;
  block?: ThresholdMetrics;
}

/** Result of {@link recalibratePolicy}. */
export interface Recalibration {
  policy: Policy;
  changes: ThresholdChange[];
  /** Categories left alone, with why. */
  skipped: { category: CalibratedCategory; reason: string }[];
}

/** Scored labels for one category: the item's highest score in it, and the moderator's verdict. */
export function labelledScores(
  feedback: readonly ModeratorFeedback[],
  category: DetectorCategory,
): ScoredLabel[] {
  const out: ScoredLabel[] = [];
  for (const f of feedback) {
    const scores = f.results.filter((r) => r.category === category).map((r) => r.score);
    if (scores.length === 0) continue;
    out.push({ score: Math.max(...scores), positive: f.violations.includes(category) });
  }
  return out;
}

/**
 * New thresholds per category from reviewed items: REVIEW at the best-F1 threshold, BLOCK at the
 * lowest threshold reaching `blockPrecision` (or left unchanged when none does). Returns a new,
 * validated policy with a new version; the input policy is not modified.
 */
export function recalibratePolicy(
  policy: Policy,
  feedback: readonly ModeratorFeedback[],
  options: RecalibrateOptions = {},
): Recalibration {
  const minExamples = options.minExamples ?? 20;
  const blockPrecision = options.blockPrecision ?? 0.95;
  if (!(blockPrecision > 0 && blockPrecision <= 1)) {
    throw new ModerationConfigError(`blockPrecision must be in (0, 1], got ${blockPrecision}`);
  }
  const next = structuredClone(policy);
  const changes: ThresholdChange[] = [];
  const skipped: Recalibration['skipped'] = [];
  for (const category of CALIBRATED) {
    const data = labelledScores(feedback, category);
    const positives = data.filter((d) => d.positive).length;
    if (data.length < minExamples || positives === 0 || positives === data.length) {
      skipped.push({
        category,
        reason: `${data.length} reviewed items, ${positives} violations: need ${minExamples}+ with both outcomes`,
      });
      continue;
    }
    const review = bestF1Threshold(data)!;
    const block = thresholdForPrecision(data, blockPrecision);
    const before = { ...policy.thresholds[category] };
    const after = {
      review: review.threshold,
      block: Math.max(review.threshold, block?.threshold ?? before.block),
    };
    next.thresholds[category] = after;
    changes.push({
      category,
      examples: data.length,
      positives,
      before,
      after,
      review,
      ...(block ? { block } : {}),
    });
  }
  next.version = options.version ?? `${policy.version}+recal.${feedback.length}`;
  return { policy: parsePolicy(next), changes, skipped };
}

/**
 * A spam model updated with reviewed captions (violation 'spam' = spam, otherwise ham). The base
 * model (default: the shipped SpamAssassin model) is copied, not modified.
 */
export function retrainSpamModel(
  feedback: readonly ModeratorFeedback[],
  base: NaiveBayesSpamModel = defaultSpamModel(),
): { model: NaiveBayesSpamModel; spam: number; ham: number } {
  const model = NaiveBayesSpamModel.fromJSON(base.toJSON());
  const examples = feedback
    .filter((f) => f.caption !== undefined && f.caption.trim() !== '')
    .map((f) => ({ text: f.caption!, spam: f.violations.includes('spam') }));
  model.update(examples);
  const spam = examples.filter((e) => e.spam).length;
  return { model, spam, ham: examples.length - spam };
}

/** Precision and recall of one threshold on the reviewed items. */
export interface OperatingPoint {
  threshold: number;
  precision: number;
  recall: number;
  /** Items at or above the threshold. */
  flagged: number;
}

/** One row of the before/after table: a category's REVIEW or BLOCK threshold, old and new. */
export interface ThresholdComparison {
  category: CalibratedCategory;
  level: 'review' | 'block';
  examples: number;
  positives: number;
  before: OperatingPoint;
  after: OperatingPoint;
}

function operatingPoint(data: readonly ScoredLabel[], threshold: number): OperatingPoint {
  const m = metricsAt(data, threshold);
  return {
    threshold,
    precision: m.precision,
    recall: m.recall,
    flagged: m.truePositives + m.falsePositives,
  };
}

/**
 * Precision and recall of the old and the new policy's thresholds on the same reviewed items, per
 * category with at least one reviewed score. In-sample for the new thresholds (they were chosen on
 * these items): read it as what the change does to the reviewed history, not as a held-out test.
 */
export function compareThresholds(
  feedback: readonly ModeratorFeedback[],
  before: Policy,
  after: Policy,
): ThresholdComparison[] {
  const rows: ThresholdComparison[] = [];
  for (const category of CALIBRATED) {
    const data = labelledScores(feedback, category);
    if (data.length === 0) continue;
    const positives = data.filter((d) => d.positive).length;
    for (const level of ['review', 'block'] as const) {
      rows.push({
        category,
        level,
        examples: data.length,
        positives,
        before: operatingPoint(data, before.thresholds[category][level]),
        after: operatingPoint(data, after.thresholds[category][level]),
      });
    }
  }
  return rows;
}

/** Held-out quality of the retrained spam model against the base model, on reviewed captions. */
export interface SpamRetrainEvaluation {
  captions: number;
  spam: number;
  folds: number;
  /** AP of the base model on every reviewed caption. */
  baseAveragePrecision: number;
  /** AP of models retrained on the other folds, each scoring its held-out fold. */
  retrainedAveragePrecision: number;
}

/**
 * k-fold check of {@link retrainSpamModel}: each fold's captions are scored by a copy of `base`
 * updated with the other folds only, so the number is not in-sample. NaN AP when there is no spam.
 */
export function evaluateSpamRetraining(
  feedback: readonly ModeratorFeedback[],
  base: NaiveBayesSpamModel = defaultSpamModel(),
  folds = 4,
): SpamRetrainEvaluation {
  const labelled = feedback.filter((f) => f.caption !== undefined && f.caption.trim() !== '');
  const k = Math.max(2, Math.min(folds, labelled.length));
  const baseScores: ScoredLabel[] = [];
  const retrainedScores: ScoredLabel[] = [];
  for (let fold = 0; fold < k; fold++) {
    const held = labelled.filter((_, i) => i % k === fold);
    if (held.length === 0) continue;
    const { model } = retrainSpamModel(
      labelled.filter((_, i) => i % k !== fold),
      base,
    );
    for (const f of held) {
      const positive = f.violations.includes('spam');
      baseScores.push({ score: base.probability(f.caption!), positive });
      retrainedScores.push({ score: model.probability(f.caption!), positive });
    }
  }
  const spam = baseScores.filter((s) => s.positive).length;
  return {
    captions: baseScores.length,
    spam,
    folds: k,
    baseAveragePrecision: spam === 0 ? NaN : averagePrecision(baseScores),
    retrainedAveragePrecision: spam === 0 ? NaN : averagePrecision(retrainedScores),
  };
}
