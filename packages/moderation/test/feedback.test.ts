import { describe, expect, it } from 'vitest';
import { createSpamDetector } from '../src/detectors/caption-spam.js';
import {
  recalibratePolicy,
  retrainSpamModel,
  type ModeratorFeedback,
} from '../src/feedback/recalibrate.js';
import { DEFAULT_POLICY, parsePolicy } from '../src/policy/policy.js';

describe('recalibration from moderator decisions', () => {
  it('moves thresholds to where moderators draw the line and bumps the version', () => {
    // Moderators judge explicit scores >= 0.4 as violations: the default 0.6/0.9 is too lax.
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
});
