/** Near-duplicate detector: the staged matcher (`bank/matcher.ts`) over a bank of known content. */
import type { HashBank } from '../bank/hash-bank.js';
import { matchImage } from '../bank/matcher.js';
import { PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../pdq/pdq.js';
import { clampScore, type DetectorResult } from '../types.js';
import type { Detector, DetectorInput } from './detector.js';

/** Options of {@link createNearDuplicateDetector}. */
export interface NearDuplicateOptions {
  bank: HashBank;
  /** Hamming distance counted as a match; PDQ's 31 by default. */
  maxDistance?: number;
  /** PDQ hashes below this quality are not matched by PDQ; low-detail signatures are used instead. */
  minQuality?: number;
}

/**
 * Score = 1 - distance / (maxDistance + 1) of the closest PDQ match (1 for an exact copy, ~0.03 at
 * the threshold), or the DCT signature's similarity rescaled likewise; 0 without a match. The label carries the bank label, so the policy can act on it.
 */
export function createNearDuplicateDetector(options: NearDuplicateOptions): Detector {
  const maxDistance = options.maxDistance ?? PDQ_MATCH_DISTANCE;
  const minQuality = options.minQuality ?? PDQ_MIN_QUALITY;
  const detectOne = async (input: DetectorInput): Promise<DetectorResult> => {
    const report = await matchImage(options.bank, input.image!, { maxDistance, minQuality });
    const base = { detector: 'pdq-near-duplicate', category: 'near-duplicate' as const };
    const matches = report.matches.slice(0, 10).map((m) => ({
      ...m.row,
      stage: m.stage,
      transform: m.transform,
      ...(m.distance === undefined ? {} : { distance: m.distance }),
      ...(m.similarity === undefined ? {} : { similarity: m.similarity }),
    }));
    const details = { hash: report.hash, quality: report.quality, stages: report.stages, matches };
    const best = report.matches[0];
    if (!best) {
      const flat =
        report.quality < minQuality
          ? `; PDQ quality ${report.quality} < ${minQuality}, low-detail signatures checked`
          : '';
      return {
        ...base,
        score: 0,
        label: report.quality < minQuality ? 'low-quality-hash' : 'no-match',
        reason: `No bank entry matched (stages ${report.stages.join(', ')}; bank size ${options.bank.size})${flat}`,
        details,
      };
    }
    const variant = best.row.variant ? ` (${best.row.variant} variant)` : '';
    const how =
      best.distance === undefined
        ? `DCT signature similarity ${best.similarity!.toFixed(3)}`
        : `Hamming distance ${best.distance}/256 (threshold ${maxDistance})`;
    const turned = best.transform === 'original' ? '' : `, upload ${best.transform}`;
    return {
      ...base,
      score: clampScore(best.score),
      label: `match:${best.row.label}`,
      reason: `Matches known '${best.row.label}' content from ${best.row.source}${variant} at ${how} (stage ${best.stage}${turned}, quality ${report.quality})`,
      details: { ...details, bankLabel: best.row.label },
    };
  };
  return {
    name: 'pdq-near-duplicate',
    category: 'near-duplicate',
    reads: 'image',
    detect: (inputs) => Promise.all(inputs.map(detectOne)),
  };
}
