/**
 * The moderation policy: per-category thresholds that turn detector scores into ALLOW / REVIEW /
 * BLOCK. Versioned, so every decision records which rules produced it, and validated with zod so a
 * bad config fails at load time with the offending path, not at decision time.
 */
import { z } from 'zod';
import { ModerationConfigError } from '../errors.js';
import {
  POLICY_ACTIONS,
  type DetectorCategory,
  type PolicyAction,
} from '../contract/vocabulary.js';
import type { DetectorResult } from '../types.js';

/** Outcomes in increasing severity (the contract's {@link POLICY_ACTIONS}). */
export const ACTIONS = POLICY_ACTIONS;
/** One of {@link ACTIONS}. */
export type Action = PolicyAction;

const actionSchema = z.enum(ACTIONS);

const thresholdsSchema = z
  .object({
    /** Score at or above which the item goes to human review. */
    review: z.number().min(0).max(1),
    /** Score at or above which the item is blocked; above 1 means never. */
    block: z.number().min(0).max(1.0001),
  })
  .refine((t) => t.review <= t.block, { message: 'review threshold must not exceed block' });

/** Policy config schema. */
export const policySchema = z.object({
  /** Free-form version, e.g. `2026-11-28.1`; recorded on every decision. */
  version: z.string().min(1),
  thresholds: z.object({
    abuse: thresholdsSchema,
    spam: thresholdsSchema,
    explicit: thresholdsSchema,
    synthetic: thresholdsSchema,
  }),
  nearDuplicate: z.object({
    /** Action per bank label; `csam` and `terror` matches should BLOCK at once. */
    labelActions: z.record(z.string().min(1), actionSchema),
    /** Action for a match whose label is not listed. */
    defaultMatchAction: actionSchema,
  }),
  /** What a failing detector turns into (never ALLOW silently, never a crash). */
  detectorErrorAction: z.enum(['REVIEW', 'BLOCK']),
  /** Per-detector threshold overrides, keyed by detector name. */
  detectorThresholds: z.record(z.string(), thresholdsSchema).default({}),
});

/** A validated policy. */
export type Policy = z.infer<typeof policySchema>;
/** Policy config as written (defaults not yet applied). */
export type PolicyInput = z.input<typeof policySchema>;

/**
 * The shipped default: conservative on explicit and abuse, lenient on synthetic (review only).
 * Explicit REVIEW moved from 0.6 to 0.75 in 2026-12-06.1, with the detector's skin and second-view
 * checks: the lowest threshold that sent ≤ 0.5% of the fitting half of the benign photo set to
 * review (see the package README's evaluation).
 */
export const DEFAULT_POLICY: Policy = Object.freeze({
  version: '2026-12-06.1',
  thresholds: {
    abuse: { review: 0.5, block: 0.9 },
    spam: { review: 0.6, block: 0.85 },
    explicit: { review: 0.75, block: 0.9 },
    synthetic: { review: 0.7, block: 1.0001 },
  },
  nearDuplicate: {
    labelActions: {
      csam: 'BLOCK',
      terror: 'BLOCK',
      'non-consensual': 'BLOCK',
      copyright: 'REVIEW',
    },
    defaultMatchAction: 'REVIEW',
  },
  detectorErrorAction: 'REVIEW',
  detectorThresholds: {},
}) as Policy;

/**
 * Validates a policy config.
 *
 * @throws {@link ModerationConfigError} naming every invalid field.
 */
export function parsePolicy(input: unknown): Policy {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModerationConfigError(`Invalid moderation policy: ${issues}`);
  }
  return parsed.data;
}

/** One detector's contribution to a decision. */
export interface DecisionReason {
  detector: string;
  category: DetectorCategory;
  score: number;
  label: string;
  action: Action;
  reason: string;
}

/** The policy's verdict on one item. */
export interface Decision {
  externalId: string;
  action: Action;
  policyVersion: string;
  /** Every detector's result and the action it alone would have led to, most severe first. */
  reasons: DecisionReason[];
  /** Raw detector results (for storing as DetectorScore rows). */
  results: DetectorResult[];
}

function severity(a: Action): number {
  return ACTIONS.indexOf(a);
}

/** The action one detector result leads to under `policy`. */
export function actionFor(policy: Policy, result: DetectorResult): Action {
  switch (result.category) {
    case 'detector-error':
      return policy.detectorErrorAction;
    case 'near-duplicate': {
      if (result.score <= 0 || !result.label.startsWith('match:')) return 'ALLOW';
      const label = result.label.slice('match:'.length);
      return policy.nearDuplicate.labelActions[label] ?? policy.nearDuplicate.defaultMatchAction;
    }
    default: {
      const t = policy.detectorThresholds[result.detector] ?? policy.thresholds[result.category];
      if (result.score >= t.block) return 'BLOCK';
      if (result.score >= t.review) return 'REVIEW';
      return 'ALLOW';
    }
  }
}

/** Applies the policy: the item gets the most severe action any detector result leads to. */
export function decide(policy: Policy, externalId: string, results: DetectorResult[]): Decision {
  const reasons = results.map((r) => ({
    detector: r.detector,
    category: r.category,
    score: r.score,
    label: r.label,
    action: actionFor(policy, r),
    reason: r.reason,
  }));
  reasons.sort((a, b) => severity(b.action) - severity(a.action) || b.score - a.score);
  const action = reasons[0]?.action ?? 'ALLOW';
  return { externalId, action, policyVersion: policy.version, reasons, results };
}
