/**
 * The moderation vocabulary, in one place: the policy's and the moderators' actions, the content
 * statuses and how actions move items between them, detector categories, reason codes and the
 * labels of the hash bank. The database enums, the scorer, the feedback command and the review
 * queue all speak these words; a type test in `@ganmod/db` checks its enums match them.
 */

/** What the automatic policy decides, in increasing severity. */
export const POLICY_ACTIONS = ['ALLOW', 'REVIEW', 'BLOCK'] as const;
/** One of {@link POLICY_ACTIONS}. */
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** What a moderator decides on an item in review. */
export const MODERATOR_ACTIONS = ['APPROVE', 'REMOVE', 'ESCALATE'] as const;
/** One of {@link MODERATOR_ACTIONS}. */
export type ModeratorAction = (typeof MODERATOR_ACTIONS)[number];

/** True when `action` is a moderator's (not the policy's). */
export function isModeratorAction(action: string): action is ModeratorAction {
  return (MODERATOR_ACTIONS as readonly string[]).includes(action);
}

/** What a decision-log row records: the policy's verdict (no actor) or a moderator's action. */
export const DECISION_ACTIONS = [...POLICY_ACTIONS, ...MODERATOR_ACTIONS] as const;
/** One of {@link DECISION_ACTIONS}. */
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** Every status a content item can be in. */
export const CONTENT_STATUSES = [
  'PENDING',
  'ALLOWED',
  'IN_REVIEW',
  'BLOCKED',
  'APPROVED',
  'REMOVED',
  'ESCALATED',
] as const;
/** One of {@link CONTENT_STATUSES}. */
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

/** Statuses a moderator can act on. PENDING items were stored but not scored yet. */
export const REVIEWABLE_STATUSES = ['PENDING', 'IN_REVIEW', 'ESCALATED'] as const;
/** One of {@link REVIEWABLE_STATUSES}. */
export type ReviewableStatus = (typeof REVIEWABLE_STATUSES)[number];

/** True when a moderator can still decide an item in `status`. */
export function isReviewable(status: string): status is ReviewableStatus {
  return (REVIEWABLE_STATUSES as readonly string[]).includes(status);
}

/** The status the policy's verdict leaves a PENDING item in. */
export const STATUS_AFTER_POLICY = Object.freeze({
  ALLOW: 'ALLOWED',
  REVIEW: 'IN_REVIEW',
  BLOCK: 'BLOCKED',
} as const satisfies Record<PolicyAction, ContentStatus>);

/** The status a moderator's decision leaves an item in. */
export const STATUS_AFTER_DECISION = Object.freeze({
  APPROVE: 'APPROVED',
  REMOVE: 'REMOVED',
  ESCALATE: 'ESCALATED',
} as const satisfies Record<ModeratorAction, ContentStatus>);

/** Detector categories the policy knows how to weigh. */
export const DETECTOR_CATEGORIES = [
  'near-duplicate',
  'abuse',
  'spam',
  'explicit',
  'synthetic',
  'detector-error',
] as const;
/** One of {@link DETECTOR_CATEGORIES}. */
export type DetectorCategory = (typeof DETECTOR_CATEGORIES)[number];

/** The category of each shipped detector, by detector name. */
export const DETECTOR_CATEGORY = Object.freeze({
  'pdq-near-duplicate': 'near-duplicate',
  'caption-abuse': 'abuse',
  'caption-spam': 'spam',
  'nsfw-explicit': 'explicit',
  'synthetic-image': 'synthetic',
} as const satisfies Record<string, DetectorCategory>);
/** Name of a shipped detector. */
export type DetectorName = keyof typeof DETECTOR_CATEGORY;

/** The category of a shipped detector, or undefined for a name the contract does not know. */
export function categoryOfDetector(detector: string): DetectorCategory | undefined {
  return Object.hasOwn(DETECTOR_CATEGORY, detector)
    ? DETECTOR_CATEGORY[detector as DetectorName]
    : undefined;
}

/**
 * The pseudo-detector an item refused before any detector ran is reasoned under (its label is
 * the input error code, its category `detector-error`).
 */
export const INPUT_DETECTOR = 'input';

/** A detector score at or above this counts as the detector "flagging" the item. */
export const FLAG_THRESHOLD = 0.5;

/** Reason codes a moderator picks from, per action; the first is the default. */
export const REASON_CODES = Object.freeze({
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
} as const satisfies Record<ModeratorAction, readonly { code: string; label: string }[]>);

/** A reason code a moderator can give with `action`. */
export type ReasonCode<A extends ModeratorAction = ModeratorAction> =
  (typeof REASON_CODES)[A][number]['code'];

/** True when `code` is one of the reason codes offered for `action`. */
export function isReasonCode<A extends ModeratorAction>(
  action: A,
  code: string,
): code is ReasonCode<A> {
  return REASON_CODES[action].some((r) => r.code === code);
}

/**
 * The category a REMOVE reason names; null for `other`, which credits whatever the policy
 * flagged on the item instead.
 */
export const REMOVE_REASON_CATEGORY = Object.freeze({
  explicit: 'explicit',
  'synthetic-impersonation': 'synthetic',
  harassment: 'abuse',
  spam: 'spam',
  'known-bad': 'near-duplicate',
  copyright: 'near-duplicate',
  other: null,
} as const satisfies Record<ReasonCode<'REMOVE'>, DetectorCategory | null>);

/** The category a REMOVE reason code names, or null (`other`, or a code no longer offered). */
export function categoryOfRemoveReason(code: string): DetectorCategory | null {
  return Object.hasOwn(REMOVE_REASON_CATEGORY, code)
    ? REMOVE_REASON_CATEGORY[code as ReasonCode<'REMOVE'>]
    : null;
}

/** Reason code of the policy's automatic decision, e.g. `policy.review`. */
export function policyReasonCode(action: PolicyAction): `policy.${Lowercase<PolicyAction>}` {
  return `policy.${action.toLowerCase() as Lowercase<PolicyAction>}`;
}

/** Reason code of an item the pipeline refused, e.g. `input.caption_too_long`. */
export function inputReasonCode(errorCode: string): string {
  return `input.${errorCode.toLowerCase()}`;
}

/**
 * Labels of hash-bank entries as the database stores them: the categories hash-sharing
 * programmes use. Banks created before these labels had KNOWN_BAD (now CUSTOM) and INFRINGING
 * (now COPYRIGHT).
 */
export const BANK_LABELS = [
  'CSAM',
  'TERROR',
  'NON_CONSENSUAL',
  'COPYRIGHT',
  'SPAM',
  'CUSTOM',
] as const;
/** One of {@link BANK_LABELS}. */
export type BankLabel = (typeof BANK_LABELS)[number];

/**
 * The label a bank entry's match carries in the policy (`nearDuplicate.labelActions` keys: the
 * default policy blocks `csam`, `terror` and `non-consensual` and sends the rest to review) and
 * in ThreatExchange CSV lists. `copyright` and `spam` are also REMOVE reason codes.
 */
export const POLICY_LABEL_OF_BANK_LABEL = Object.freeze({
  CSAM: 'csam',
  TERROR: 'terror',
  NON_CONSENSUAL: 'non-consensual',
  COPYRIGHT: 'copyright',
  SPAM: 'spam',
  CUSTOM: 'custom',
} as const satisfies Record<BankLabel, string>);

/** What a moderator reads for each bank label. */
export const BANK_LABEL_TITLES = Object.freeze({
  CSAM: 'Child sexual abuse material',
  TERROR: 'Terrorist or violent extremist content',
  NON_CONSENSUAL: 'Non-consensual intimate imagery',
  COPYRIGHT: 'Copyright infringement',
  SPAM: 'Spam',
  CUSTOM: 'Custom (this platform)',
} as const satisfies Record<BankLabel, string>);

/** True when `label` is one of {@link BANK_LABELS}. */
export function isBankLabel(label: string): label is BankLabel {
  return (BANK_LABELS as readonly string[]).includes(label);
}

/** The policy's label for a stored bank label; unknown labels are lower-cased. */
export function policyLabelOfBankLabel(label: string): string {
  return Object.hasOwn(POLICY_LABEL_OF_BANK_LABEL, label)
    ? POLICY_LABEL_OF_BANK_LABEL[label as BankLabel]
    : label.toLowerCase();
}

/** The stored bank label behind a policy label, or undefined when none maps to it. */
export function bankLabelOfPolicyLabel(label: string): BankLabel | undefined {
  return BANK_LABELS.find((b) => POLICY_LABEL_OF_BANK_LABEL[b] === label);
}
