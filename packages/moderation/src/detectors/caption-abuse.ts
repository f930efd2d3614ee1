/** Caption abuse detector: slurs, threats and profanity, leetspeak-aware. */
import { scanAbuse } from '../text/profanity.js';
import type { DetectorResult } from '../types.js';
import type { Detector, DetectorInput } from './detector.js';

/** Score of a caption whose worst match is a slur or a threat. */
export const SLUR_OR_THREAT_SCORE = 0.95;

/**
 * Score: 0.95 when any slur or threat is present; otherwise 0.5 for one profane term, +0.1 per
 * further term up to 0.8 (swearing alone is rarely a removal on its own, repeated swearing at
 * someone more often is).
 */
export function createAbuseDetector(): Detector {
  const detectOne = (input: DetectorInput): DetectorResult => {
    const { matches, censoredText } = scanAbuse(input.caption ?? '');
    const base = { detector: 'caption-abuse', category: 'abuse' as const };
    if (matches.length === 0) {
      return {
        ...base,
        score: 0,
        label: 'clean',
        reason: 'No abusive terms found',
        details: { matches },
      };
    }
    const severe = matches.filter((m) => m.kind !== 'profanity');
    const score =
      severe.length > 0 ? SLUR_OR_THREAT_SCORE : Math.min(0.8, 0.5 + 0.1 * (matches.length - 1));
    const label =
      severe.length > 0 ? (severe[0]!.kind === 'slur' ? 'slur' : 'threat') : 'profanity';
    const evidence = matches
      .slice(0, 8)
      .map((m) => `"${m.censored}" (${m.kind}: ${m.term}) at ${m.start}-${m.end}`)
      .join(', ');
    return {
      ...base,
      score,
      label,
      reason: `${matches.length} abusive term(s): ${evidence}`,
      details: { matches, censoredText },
    };
  };
  return {
    name: 'caption-abuse',
    category: 'abuse',
    reads: 'caption',
    detect: (inputs) => Promise.resolve(inputs.map(detectOne)),
  };
}
