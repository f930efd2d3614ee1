/** Moderation vocabulary shared by the server and the queue UI. */

export const moderatorActions = ['APPROVE', 'REMOVE', 'ESCALATE'] as const;
export type ModeratorAction = (typeof moderatorActions)[number];

/** Reason codes a moderator picks from, per action; the first is the default. */
export const reasonCodes: Record<ModeratorAction, readonly { code: string; label: string }[]> = {
  APPROVE: [
    { code: 'no-violation', label: 'No violation' },
    { code: 'false-positive', label: 'Detector false positive' },
    { code: 'art-or-satire', label: 'Art, satire or news' },
    { code: 'other', label: 'Other (see note)' },
  ],
  REMOVE: [
    { code: 'explicit', label: 'Explicit content' },
    { code: 'synthetic-impersonation', label: 'Synthetic image / impersonation' },
    { code: 'harassment', label: 'Abuse or harassment' },
    { code: 'spam', label: 'Spam or scam' },
    { code: 'known-bad', label: 'Matches known-bad content' },
    { code: 'copyright', label: 'Copyright infringement' },
    { code: 'other', label: 'Other (see note)' },
  ],
  ESCALATE: [
    { code: 'legal', label: 'Legal review' },
    { code: 'unclear-policy', label: 'Policy unclear' },
    { code: 'specialist', label: 'Needs a specialist' },
    { code: 'other', label: 'Other (see note)' },
  ],
};

/** Statuses a moderator can act on. PENDING items were stored but not scored yet. */
export const reviewableStatuses = ['PENDING', 'IN_REVIEW', 'ESCALATED'] as const;
export type ReviewableStatus = (typeof reviewableStatuses)[number];

/** The status a moderator action leaves an item in. */
export const statusAfter: Record<ModeratorAction, 'APPROVED' | 'REMOVED' | 'ESCALATED'> = {
  APPROVE: 'APPROVED',
  REMOVE: 'REMOVED',
  ESCALATE: 'ESCALATED',
};

/** A detector score at or above this counts as the detector "flagging" the item. */
export const FLAG_THRESHOLD = 0.5;

export function isReasonCode(action: ModeratorAction, code: string): boolean {
  return reasonCodes[action].some((r) => r.code === code);
}
