// The explicit detector's decision on nsfwjs probability vectors: no explicit image may be committed
// or fetched, so "still flags what nsfwjs is confident about" is checked here, on the function the
// detector applies to the classifier's output, under the shipped policy.
import { describe, expect, it } from 'vitest';
import {
  EXPLICIT_CALIBRATION,
  explicitDecision,
  type ExplicitEvidence,
} from '../src/detectors/explicit.js';
import type { NsfwProbabilities } from '../src/nsfw/classifier.js';
import { actionFor, DEFAULT_POLICY, type Action } from '../src/policy/policy.js';

/** A probability vector with the rest of the mass on Neutral. */
function probs(p: Partial<NsfwProbabilities>): NsfwProbabilities {
  const rest = 1 - (p.Porn ?? 0) - (p.Hentai ?? 0) - (p.Sexy ?? 0) - (p.Drawing ?? 0);
  return { Drawing: 0, Hentai: 0, Porn: 0, Sexy: 0, ...p, Neutral: Math.max(0, rest) };
}

/** What the shipped policy does with the detector's score for this evidence. */
function action(evidence: ExplicitEvidence): Action {
  const { score } = explicitDecision(evidence);
  return actionFor(DEFAULT_POLICY, {
    detector: 'nsfw-explicit',
    category: 'explicit',
    score,
    label: 'Porn',
    reason: '',
    details: {},
  });
}

const SKINS = [null, 0, 0.02, 0.05, 0.1, 0.15, 0.3, 0.6, 1] as const;

describe('explicit decision on nsfwjs probability vectors', () => {
  it('blocks confident Porn or Hentai on a skin-bearing image whose second view agrees', () => {
    expect(
      action({
        probabilities: probs({ Porn: 0.98 }),
        skin: 0.4,
        secondView: probs({ Porn: 0.95 }),
      }),
    ).toBe('BLOCK');
    expect(
      action({
        probabilities: probs({ Hentai: 0.93, Porn: 0.03 }),
        skin: 0.35,
        secondView: probs({ Hentai: 0.91 }),
      }),
    ).toBe('BLOCK');
  });

  it('asks for the second view exactly for skin-bearing images nsfwjs already scores high', () => {
    const c = EXPLICIT_CALIBRATION;
    expect(
      explicitDecision({ probabilities: probs({ Porn: 0.9 }), skin: 0.3 }).needsSecondView,
    ).toBe(true);
    expect(
      explicitDecision({ probabilities: probs({ Porn: c.secondViewFrom - 0.01 }), skin: 0.3 })
        .needsSecondView,
    ).toBe(false);
    expect(
      explicitDecision({ probabilities: probs({ Porn: 0.99 }), skin: 0 }).needsSecondView,
    ).toBe(false);
    expect(
      explicitDecision({ probabilities: probs({ Porn: 0.99 }), skin: null }).needsSecondView,
    ).toBe(false);
  });

  it('sends a confident score to REVIEW, not BLOCK, when the second view disagrees or is missing', () => {
    const p = probs({ Porn: 0.99 });
    expect(action({ probabilities: p, skin: 0.5, secondView: probs({ Porn: 0.3 }) })).toBe(
      'REVIEW',
    );
    expect(action({ probabilities: p, skin: 0.5 })).toBe('REVIEW');
  });

  it('still reviews what nsfwjs is confident about (Porn + Hentai >= 0.98), whatever the colour says', () => {
    for (const skin of SKINS) {
      for (const [porn, hentai] of [
        [0.98, 0],
        [1, 0],
        [0, 0.98],
        [0.5, 0.49],
      ] as const) {
        const a = action({ probabilities: probs({ Porn: porn, Hentai: hentai }), skin });
        expect(a, `Porn ${porn} Hentai ${hentai} skin ${skin}`).not.toBe('ALLOW');
      }
    }
  });

  it('lets benign-looking evidence through: warm textures without skin, Sexy alone, Drawing', () => {
    // The vectors nsfwjs gave the benign yellow-flower photo and a wood texture (no skin pixels).
    expect(
      action({ probabilities: probs({ Porn: 0.86, Hentai: 0.02, Sexy: 0.04 }), skin: 0 }),
    ).toBe('ALLOW');
    expect(action({ probabilities: probs({ Porn: 0.96 }), skin: 0 })).toBe('ALLOW');
    expect(action({ probabilities: probs({ Sexy: 1 }), skin: 0.6 })).toBe('ALLOW');
    expect(action({ probabilities: probs({ Drawing: 0.99 }), skin: 0.4 })).toBe('ALLOW');
  });

  it('never blocks without skin confirmation and a second view', () => {
    for (let porn = 0; porn <= 1.0001; porn += 0.05) {
      for (const skin of SKINS) {
        const probabilities = probs({ Porn: Math.min(1, porn) });
        const verdict = explicitDecision({ probabilities, skin });
        expect(verdict.confirmed).toBe(false);
        expect(action({ probabilities, skin })).not.toBe('BLOCK');
        const low = explicitDecision({ probabilities, skin, secondView: probs({ Porn: 0.1 }) });
        expect(low.confirmed).toBe(false);
      }
    }
  });

  it('is monotone in the explicit probability and in the skin fraction', () => {
    for (const skin of SKINS) {
      let last = -1;
      for (let porn = 0; porn <= 1.0001; porn += 0.02) {
        const { score } = explicitDecision({
          probabilities: probs({ Porn: Math.min(1, porn) }),
          skin,
        });
        expect(score).toBeGreaterThanOrEqual(last);
        last = score;
      }
    }
    let last = -1;
    for (const skin of SKINS.slice(1)) {
      const { score } = explicitDecision({ probabilities: probs({ Porn: 0.85 }), skin });
      expect(score).toBeGreaterThanOrEqual(last);
      last = score;
    }
  });
});
