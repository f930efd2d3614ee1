/**
 * The reason each decision starts with on an item: for REMOVE, the reason naming the category
 * that flagged it (its top category, mapped through the vocabulary's REMOVE_REASON_CATEGORY);
 * for the other actions, their first reason. Computed per item, never carried over from the last.
 */
import {
  MODERATOR_ACTIONS,
  REASON_CODES,
  REMOVE_REASON_CATEGORY,
  categoryOfRemoveReason,
  type ModeratorAction,
} from '@ganmod/moderation/contract';

/** The reason codes chosen for each action. */
export type ActionReasons = Record<ModeratorAction, string>;

/** The REMOVE reasons in the order the dropdown lists them (number key n picks the n-th). */
export const REMOVE_REASONS = REASON_CODES.REMOVE;

/**
 * The REMOVE reason for an item whose top detector is of `category`. When several reasons name
 * the category (a hash-bank match: `known-bad`, `copyright`), the top score's `label` picks
 * among them (the bank label is the reason code); `other` when no reason names the category.
 */
export function removeReasonFor(category: string | null, label?: string | null): string {
  if (category === null) return 'other';
  if (label && categoryOfRemoveReason(label) === category) return label;
  const named = REMOVE_REASONS.find(
    (r) => (REMOVE_REASON_CATEGORY as Record<string, string | null>)[r.code] === category,
  );
  return named?.code ?? 'other';
}

/** The reasons an item's decisions start with (see the module comment). */
export function defaultReasons(item: {
  topCategory: string | null;
  scores: readonly { label: string | null }[];
}): ActionReasons {
  const reasons = Object.fromEntries(
    MODERATOR_ACTIONS.map((action) => [action, REASON_CODES[action][0]?.code ?? 'other']),
  ) as ActionReasons;
  // Scores come highest first (getItem), so the first one's label is the top detector's.
  reasons.REMOVE = removeReasonFor(item.topCategory, item.scores[0]?.label ?? null);
  return reasons;
}
