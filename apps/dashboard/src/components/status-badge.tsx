import { Badge } from './ui/badge';

const tones = {
  PENDING: 'neutral',
  IN_REVIEW: 'blue',
  ESCALATED: 'violet',
  ALLOWED: 'green',
  APPROVED: 'green',
  BLOCKED: 'red',
  REMOVED: 'red',
  QUEUED: 'neutral',
  RUNNING: 'blue',
  SUCCEEDED: 'green',
  FAILED: 'red',
  CANCELLED: 'amber',
  ALLOW: 'green',
  REVIEW: 'blue',
  BLOCK: 'red',
  APPROVE: 'green',
  REMOVE: 'red',
  ESCALATE: 'violet',
} as const;

const labels: Partial<Record<keyof typeof tones, string>> = {
  PENDING: 'unscored',
  IN_REVIEW: 'in review',
};

/** An item, run or decision status as a coloured pill. */
export function StatusBadge({ status }: { status: string }) {
  const tone = (tones as Record<string, (typeof tones)[keyof typeof tones]>)[status] ?? 'neutral';
  return <Badge tone={tone}>{labels[status as keyof typeof tones] ?? status.toLowerCase()}</Badge>;
}
