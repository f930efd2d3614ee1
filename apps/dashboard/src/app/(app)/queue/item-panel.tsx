'use client';

import type { ReactNode, RefObject } from 'react';
import { ScoreBar } from '~/components/score-bar';
import { StatusBadge } from '~/components/status-badge';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Select, Textarea } from '~/components/ui/input';
import { timeAgo, utc } from '~/lib/format';
import { REASON_CODES, isReviewable, type ModeratorAction } from '@ganmod/moderation/contract';
import type { RouterOutputs } from '~/trpc/types';
import { refusalOf } from '~/lib/refusal';
import { ItemImage } from './item-image';

type Item = RouterOutputs['reviewQueue']['item'];

/** True while another moderator's lease on the item is live. */
export function heldByOther(
  item: Pick<Item, 'claimedBy' | 'claimExpiresAt'>,
  userId: string,
): boolean {
  return Boolean(
    item.claimedBy &&
    item.claimedBy.id !== userId &&
    item.claimExpiresAt &&
    new Date(item.claimExpiresAt) > new Date(),
  );
}

const actionButtons: {
  action: ModeratorAction;
  label: string;
  key: string;
  variant: 'success' | 'destructive' | 'warning';
}[] = [
  { action: 'APPROVE', label: 'Approve', key: 'a', variant: 'success' },
  { action: 'REMOVE', label: 'Remove', key: 'r', variant: 'destructive' },
  { action: 'ESCALATE', label: 'Escalate', key: 'e', variant: 'warning' },
];

/** Reasons stored by the policy are free-form JSON: show strings, or objects' `message`/`reason`. */
function policyReasons(reasons: unknown): string[] {
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r) => {
    if (typeof r === 'string') return r;
    if (r && typeof r === 'object') {
      const o = r as Record<string, unknown>;
      const text = o.message ?? o.reason ?? o.detector;
      if (typeof text === 'string') return text;
    }
    return JSON.stringify(r);
  });
}

/** The open item: image, caption, every detector's score and reason, the decision controls and history. */
export function ItemPanel(props: {
  item: Item | null;
  loading: boolean;
  claimError: string | null;
  userId: string;
  /** Someone else holds the item (or the claim failed): the decision buttons are disabled. */
  heldByOther: boolean;
  reasons: Record<ModeratorAction, string>;
  onReason: (action: ModeratorAction, code: string) => void;
  note: string;
  onNote: (note: string) => void;
  noteRef: RefObject<HTMLTextAreaElement | null>;
  onAct: (action: ModeratorAction) => void;
  busy: boolean;
  /** Extra decision controls under the note ("Remove and bank"). */
  extraActions?: ReactNode;
}) {
  const { item } = props;
  if (!item) {
    return (
      <Card className="flex min-h-80 items-center justify-center text-sm text-muted-foreground">
        {props.loading ? 'Loading…' : 'Select an item to review it.'}
      </Card>
    );
  }
  const open = isReviewable(item.status);
  const othersLease = heldByOther(item, props.userId);
  const refusal = refusalOf(item.reasons);
  const mine = item.claimedBy?.id === props.userId && item.claimExpiresAt;
  const reasons = policyReasons(item.reasons);
  return (
    <div
      className="space-y-4"
      data-testid="item-panel"
      data-item-id={item.id}
      data-external-id={item.externalId}
    >
      <Card>
        <div className="grid gap-4 p-4 md:grid-cols-[minmax(0,1fr)_18rem]">
          <div className="flex items-center justify-center rounded-md bg-[repeating-conic-gradient(#f4f4f5_0%_25%,#fff_0%_50%)] bg-[length:16px_16px]">
            <ItemImage
              src={item.imagePath ? `/api/items/${item.id}/image` : null}
              refused={refusal !== null}
              size="full"
              alt={item.caption ?? 'Submitted image'}
            />
          </div>
          <div className="space-y-3 text-sm">
            <div className="flex items-center gap-2">
              <StatusBadge status={item.status} />
              <span className="font-mono text-xs">{item.externalId}</span>
            </div>
            {refusal ? (
              <Alert tone="error" data-testid="item-refusal">
                {refusal[0]!.toUpperCase() + refusal.slice(1)}
              </Alert>
            ) : null}
            <p className="whitespace-pre-wrap break-words text-base" data-testid="item-caption">
              {item.caption ?? <em className="text-muted-foreground">No caption</em>}
            </p>
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs text-muted-foreground">
              <dt>Submitted</dt>
              <dd>
                {timeAgo(item.createdAt)} by {item.submittedByKey?.name ?? 'unknown key'}
              </dd>
              <dt>Image</dt>
              <dd>
                {item.imagePath === null
                  ? 'none (text only)'
                  : [
                      item.mime ?? 'unknown type',
                      item.width && item.height ? `${item.width}×${item.height}` : null,
                      item.bytes ? `${Math.max(1, Math.round(item.bytes / 1024))} KB` : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
              </dd>
              <dt>Policy</dt>
              <dd>
                {item.policyAction
                  ? `${item.policyAction.toLowerCase()} (${item.policyVersion ?? 'no version'})`
                  : 'not scored yet'}
              </dd>
            </dl>
            {props.claimError ? <Alert tone="warning">{props.claimError}</Alert> : null}
            {!props.claimError && mine ? (
              <p className="text-xs text-muted-foreground" data-testid="claim-status">
                You hold this item until {utc(item.claimExpiresAt!).slice(11, 19)} UTC; this tab
                renews it every {Math.round(item.leaseSeconds / 3)} s and gives it back when closed.
              </p>
            ) : null}
            {othersLease && !props.claimError ? (
              <Alert tone="warning" data-testid="held-by">
                {item.claimedBy?.name} is reviewing this item.
              </Alert>
            ) : null}
          </div>
        </div>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Detector scores</CardTitle>
        </CardHeader>
        <CardContent>
          {item.scores.length === 0 ? (
            <p className="text-sm text-muted-foreground" data-testid="scores-empty">
              {refusal
                ? 'No detector ran: input validation refused this item (above). Judge it on that and its caption.'
                : item.status === 'PENDING'
                  ? 'Not scored yet: the moderation pipeline has not run on this item. Judge it on its content.'
                  : 'No detector scored this item.'}
            </p>
          ) : (
            <ul className="divide-y divide-border text-sm" data-testid="scores">
              {item.scores.map((s) => (
                <li
                  key={s.id}
                  className="grid grid-cols-[10rem_7rem_minmax(0,1fr)] items-center gap-3 py-1.5"
                >
                  <span className="font-medium">{s.detector}</span>
                  <ScoreBar score={s.score} />
                  <span className="text-xs text-muted-foreground">
                    {s.label ? <strong className="mr-1 text-foreground">{s.label}</strong> : null}
                    {s.reason ?? ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {reasons.length > 0 ? (
            <ul className="mt-3 list-disc pl-5 text-xs text-muted-foreground">
              {reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Decision</CardTitle>
        </CardHeader>
        <CardContent className="space-y-3">
          <div className="grid gap-3 sm:grid-cols-3">
            {actionButtons.map((b) => (
              <div key={b.action} className="space-y-1.5">
                <Button
                  className="w-full"
                  variant={b.variant}
                  disabled={!open || props.busy || props.heldByOther}
                  title={
                    props.heldByOther
                      ? `${item.claimedBy?.name ?? 'Another moderator'} holds this item`
                      : undefined
                  }
                  onClick={() => props.onAct(b.action)}
                  data-testid={`act-${b.action}`}
                >
                  {b.label} <kbd className="border-white/30 bg-white/20 text-white">{b.key}</kbd>
                </Button>
                <Select
                  aria-label={`${b.label} reason`}
                  className="h-8 text-xs"
                  value={props.reasons[b.action]}
                  onChange={(e) => props.onReason(b.action, e.target.value)}
                >
                  {REASON_CODES[b.action].map((r, i) => (
                    <option key={r.code} value={r.code}>
                      {/* Remove reasons have number keys: 1 picks the first, and so on. */}
                      {b.action === 'REMOVE' ? `${i + 1} · ${r.label}` : r.label}
                    </option>
                  ))}
                </Select>
              </div>
            ))}
          </div>
          <Textarea
            ref={props.noteRef}
            aria-label="Note"
            placeholder="Note for the log (optional) — press n to write, Esc to leave"
            value={props.note}
            onChange={(e) => props.onNote(e.target.value)}
            maxLength={2000}
          />
          {props.extraActions}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>History</CardTitle>
        </CardHeader>
        <CardContent>
          <ol className="space-y-1.5 text-xs" data-testid="history">
            <li className="text-muted-foreground">{utc(item.createdAt)} · submitted</li>
            {item.decisions.map((d) => (
              <li key={d.id} className="flex flex-wrap items-center gap-2">
                <span className="text-muted-foreground">{utc(d.createdAt)}</span>
                <StatusBadge status={d.action} />
                <span>{d.actorId === null ? 'policy' : (d.actorName ?? 'unknown')}</span>
                <span className="font-mono text-muted-foreground">{d.reasonCode}</span>
                {d.note ? <span className="italic">“{d.note}”</span> : null}
              </li>
            ))}
          </ol>
        </CardContent>
      </Card>
    </div>
  );
}
