/** Shared shapes: what is moderated and what a detector returns. */
import type { DetectorCategory } from './contract/vocabulary.js';

/** A piece of user content as submitted by a platform. */
export interface ModerationItem {
  /** The platform's own id for the item (idempotency key upstream). */
  externalId: string;
  caption?: string;
  /** Raw image file bytes (PNG, JPEG, WebP or GIF). */
  image?: Uint8Array;
}

/** One detector's verdict on one item. */
export interface DetectorResult {
  /** Detector name, e.g. `pdq-near-duplicate`. */
  detector: string;
  category: DetectorCategory;
  /** Strength of the signal in [0, 1]; 0 = nothing found. */
  score: number;
  /** Short label, e.g. `match:csam`, `Porn`, `clean`. */
  label: string;
  /** Human-readable explanation that includes the evidence. */
  reason: string;
  /** Structured evidence for the dashboard and audits. */
  details: Record<string, unknown>;
}

/** Clamps to [0, 1] and maps NaN to 0, so a detector bug never yields an out-of-range score. */
export function clampScore(x: number): number {
  if (!Number.isFinite(x)) return x === Infinity ? 1 : 0;
  return Math.min(1, Math.max(0, x));
}
