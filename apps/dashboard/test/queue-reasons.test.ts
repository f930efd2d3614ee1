// The reason each decision starts with on an item: the remove reason names the category that
// flagged it, through the vocabulary.
import { REASON_CODES, categoryOfRemoveReason } from '@ganmod/moderation/contract';
import { describe, expect, it } from 'vitest';
import { defaultReasons, removeReasonFor } from '~/app/(app)/queue/reasons';

describe('default reasons', () => {
  it('maps the top category to the remove reason that names it', () => {
    expect(removeReasonFor('spam')).toBe('spam');
    expect(removeReasonFor('abuse')).toBe('harassment');
    expect(removeReasonFor('explicit')).toBe('explicit');
    expect(removeReasonFor('synthetic')).toBe('synthetic-impersonation');
    // Every category a remove reason names comes back to a reason naming it.
    for (const { code } of REASON_CODES.REMOVE) {
      const category = categoryOfRemoveReason(code);
      if (category) expect(categoryOfRemoveReason(removeReasonFor(category))).toBe(category);
    }
  });

  it('lets a bank match label choose between reasons of one category', () => {
    expect(removeReasonFor('near-duplicate', 'copyright')).toBe('copyright');
    expect(removeReasonFor('near-duplicate', 'known-bad')).toBe('known-bad');
    expect(removeReasonFor('near-duplicate', 'spam')).toBe('known-bad');
  });

  it('falls back to other when nothing names the category', () => {
    expect(removeReasonFor('detector-error')).toBe('other');
    expect(removeReasonFor(null)).toBe('other');
  });

  it('starts approve and escalate at their first reason', () => {
    expect(defaultReasons({ topCategory: 'spam', scores: [{ label: 'spam' }] })).toEqual({
      APPROVE: 'no-violation',
      REMOVE: 'spam',
      ESCALATE: 'legal',
    });
  });
});
