import { describe, expect, it } from 'vitest';
import { createSpamDetector } from '../src/detectors/caption-spam.js';
import {
  compareThresholds,
  evaluateSpamRetraining,
  recalibratePolicy,
  retrainSpamModel,
  type ModeratorFeedback,
} from '../src/feedback/recalibrate.js';
import { DEFAULT_POLICY, parsePolicy } from '../src/policy/policy.js';

describe('recalibration from moderator decisions', () => {
  it('moves thresholds to where moderators draw the line and bumps the version', () => {
    // Moderators judge explicit scores >= 0.4 as violations: the default thresholds are too lax.
    const feedback: ModeratorFeedback[] = Array.from({ length: 40 }, (_, i) => {
      const score = i / 40;
      return {
        externalId: `e${i}`,
        results: [{ detector: 'nsfw-explicit', category: 'explicit', score }],
        violations: score >= 0.4 ? ['explicit'] : [],
      };
    });
    const { policy, changes, skipped } = recalibratePolicy(parsePolicy(DEFAULT_POLICY), feedback);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ category: 'explicit', examples: 40, positives: 24 });
    expect(policy.thresholds.explicit.review).toBe(0.4);
    expect(policy.thresholds.explicit.block).toBe(0.4); // precision is already 1 at 0.4
    expect(policy.thresholds.spam).toEqual(DEFAULT_POLICY.thresholds.spam);
    expect(skipped.map((s) => s.category)).toEqual(['abuse', 'spam', 'synthetic']);
    expect(policy.version).toBe(`${DEFAULT_POLICY.version}+recal.40`);
  });

  it('retrains the spam model with reviewed captions', async () => {
    const campaign = 'glowskin serum restock, grab yours at the pop-up';
    const feedback: ModeratorFeedback[] = Array.from({ length: 30 }, (_, i) => ({
      externalId: `c${i}`,
      caption: `${campaign} #${i}`,
      results: [],
      violations: ['spam'],
    }));
    const { model, spam, ham } = retrainSpamModel(feedback);
    expect([spam, ham]).toEqual([30, 0]);
    const before = (
      await createSpamDetector().detect([{ externalId: 'x', caption: campaign }])
    )[0]!;
    const after = (
      await createSpamDetector({ classifier: model }).detect([
        { externalId: 'x', caption: campaign },
      ])
    )[0]!;
    expect(after.score).toBeGreaterThan(before.score);
    expect(
      (after.details as { classifierProbability: number }).classifierProbability,
    ).toBeGreaterThan(0.9);
  });

  it('reports precision and recall at the old and the new thresholds on the same items', () => {
    const feedback: ModeratorFeedback[] = Array.from({ length: 40 }, (_, i) => ({
      externalId: `e${i}`,
      results: [{ detector: 'nsfw-explicit', category: 'explicit', score: i / 40 }],
      violations: i / 40 >= 0.4 ? ['explicit'] : [],
    }));
    const before = parsePolicy(DEFAULT_POLICY);
    const { policy } = recalibratePolicy(before, feedback);
    const rows = compareThresholds(feedback, before, policy);
    expect(rows.map((r) => `${r.category}.${r.level}`)).toEqual([
      'explicit.review',
      'explicit.block',
    ]);
    const review = rows[0]!;
    // Old REVIEW at 0.75: scores 0.75..0.975 flagged (10), all violations: P 1, R 10/24.
    expect(review.before).toEqual({ threshold: 0.75, precision: 1, recall: 10 / 24, flagged: 10 });
    expect(review.after).toEqual({ threshold: 0.4, precision: 1, recall: 1, flagged: 24 });
    expect(rows[1]!.before.recall).toBeCloseTo(4 / 24);
  });

  it('checks a retrained spam model on held-out folds of reviewed captions', () => {
    // A campaign the e-mail corpus never saw, next to everyday captions moderators approved.
    const spam = Array.from({ length: 24 }, (_, i) => ({
      externalId: `s${i}`,
      caption: `glowskin serum restock drop ${i}, grab yours at the popup`,
      results: [],
      violations: ['spam' as const],
    }));
    const ham = [
      'sunday morning at the lake with my dog',
      'first snow of the year in the park',
      'grandma turned ninety today',
      'homemade pasta night with friends',
      'our team won the regional final',
      'new haircut, who dis',
    ].flatMap((c, i) =>
      Array.from({ length: 4 }, (_, j) => ({
        externalId: `h${i}-${j}`,
        caption: `${c} ${j}`,
        results: [],
        violations: [],
      })),
    );
    const feedback: ModeratorFeedback[] = spam.flatMap((s, i) => [s, ham[i]!]);
    const evaluation = evaluateSpamRetraining(feedback);
    expect(evaluation).toMatchObject({ captions: 48, spam: 24, folds: 4 });
    expect(evaluation.retrainedAveragePrecision).toBeGreaterThan(0.95);
    expect(evaluation.retrainedAveragePrecision).toBeGreaterThan(evaluation.baseAveragePrecision);
  });
});
