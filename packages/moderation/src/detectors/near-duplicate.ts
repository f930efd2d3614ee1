/** Near-duplicate detector: PDQ hash of the image looked up in a bank of known content. */
import type { HashBank } from '../bank/hash-bank.js';
import { hashToHex } from '../pdq/hash256.js';
import { pdqFromImage } from '../pdq/image.js';
import { PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../pdq/pdq.js';
import { clampScore, type DetectorResult } from '../types.js';
import type { Detector, DetectorInput } from './detector.js';

/** Options of {@link createNearDuplicateDetector}. */
export interface NearDuplicateOptions {
  bank: HashBank;
  /** Hamming distance counted as a match; PDQ's 31 by default. */
  maxDistance?: number;
  /** Hashes below this quality are reported but never matched (too featureless to trust). */
  minQuality?: number;
}

/**
 * Score = 1 - distance / (maxDistance + 1) of the closest match (1 for an exact copy, ~0.03 at the
 * threshold), 0 without a match. The label carries the bank label, so the policy can act on it.
 */
export function createNearDuplicateDetector(options: NearDuplicateOptions): Detector {
  const maxDistance = options.maxDistance ?? PDQ_MATCH_DISTANCE;
  const minQuality = options.minQuality ?? PDQ_MIN_QUALITY;
  const detectOne = async (input: DetectorInput): Promise<DetectorResult> => {
    const pdq = await pdqFromImage(input.image!);
    const hex = hashToHex(pdq.hash);
    const base = { detector: 'pdq-near-duplicate', category: 'near-duplicate' as const };
    if (pdq.quality < minQuality) {
      return {
        ...base,
        score: 0,
        label: 'low-quality-hash',
        reason: `PDQ quality ${pdq.quality} < ${minQuality}: image too flat to match reliably`,
        details: { hash: hex, quality: pdq.quality, matches: [] },
      };
    }
    const matches = options.bank.query(pdq.hash, maxDistance);
    const best = matches[0];
    if (!best) {
      return {
        ...base,
        score: 0,
        label: 'no-match',
        reason: `No bank entry within Hamming distance ${maxDistance} (bank size ${options.bank.size})`,
        details: { hash: hex, quality: pdq.quality, matches: [] },
      };
    }
    const variant = best.row.variant ? ` (${best.row.variant} variant)` : '';
    return {
      ...base,
      score: clampScore(1 - best.distance / (maxDistance + 1)),
      label: `match:${best.row.label}`,
      reason: `PDQ matches known '${best.row.label}' content from ${best.row.source}${variant} at Hamming distance ${best.distance}/256 (threshold ${maxDistance}, quality ${pdq.quality})`,
      details: {
        hash: hex,
        quality: pdq.quality,
        bankLabel: best.row.label,
        matches: matches.slice(0, 10).map((m) => ({ ...m.row, distance: m.distance })),
      },
    };
  };
  return {
    name: 'pdq-near-duplicate',
    category: 'near-duplicate',
    reads: 'image',
    detect: (inputs) => Promise.all(inputs.map(detectOne)),
  };
}
