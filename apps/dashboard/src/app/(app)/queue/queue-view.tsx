'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { PageHeader } from '~/components/page-header';
import { ScoreBar } from '~/components/score-bar';
import { Alert } from '~/components/ui/alert';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { cn } from '~/components/ui/cn';
import { Select } from '~/components/ui/input';
import { timeAgo } from '~/lib/format';
import { REASON_CODES, type ModeratorAction } from '@ganmod/moderation/contract';
import { useTRPC } from '~/trpc/client';
import { ItemImage } from './item-image';
import { ItemPanel, heldByOther } from './item-panel';
import { RemoveAndBank } from './remove-and-bank';
import { REMOVE_REASONS, defaultReasons, type ActionReasons } from './reasons';
import { QueueFilters, defaultFilters, type Filters } from './queue-filters';
import { ShortcutsHelp } from './shortcuts-help';
import { isTyping } from './shortcuts';

/** Items per page of the list (the router's default `limit`). */
const PAGE_SIZE = 100;
const actionKeys: Record<string, ModeratorAction> = { a: 'APPROVE', r: 'REMOVE', e: 'ESCALATE' };
const pastTense: Record<ModeratorAction, string> = {
  APPROVE: 'Approved',
  REMOVE: 'Removed',
  ESCALATE: 'Escalated',
};
/** How long a bulk action waits for Undo before it is sent (nothing is recorded until then). */
const UNDO_MS = 5000;
const firstReasons = Object.fromEntries(
  Object.entries(REASON_CODES).map(([action, codes]) => [action, codes[0]?.code ?? 'other']),
) as Record<ModeratorAction, string>;

/**
 * The review queue: a filterable list on the left, the open (claimed) item on the right,
 * driven by the keyboard. Opening an item claims it; moving on releases the claim.
 */
export function QueueView({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<Filters>(defaultFilters);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  // A reason picked by hand for the open item; any other item starts from its own defaults.
  const [picked, setPicked] = useState<{ itemId: string; reasons: ActionReasons } | null>(null);
  const [offset, setOffset] = useState(0);
  const [note, setNote] = useState('');
  const [helpOpen, setHelpOpen] = useState(false);
  const [flash, setFlash] = useState<{ tone: 'success' | 'error' | 'info'; text: string } | null>(
    null,
  );
  const [claimError, setClaimError] = useState<string | null>(null);
  const [bulk, setBulk] = useState<{ action: ModeratorAction; reason: string }>({
    action: 'APPROVE',
    reason: firstReasons.APPROVE,
  });
  const noteRef = useRef<HTMLTextAreaElement>(null);
  // A bulk action waiting out its undo window: sent when the timer fires, dropped by Undo.
  const [pendingBulk, setPendingBulk] = useState<{
    count: number;
    label: string;
    timer: ReturnType<typeof setTimeout>;
  } | null>(null);

  const listInput = {
    view: filters.view,
    sort: filters.sort,
    category: filters.category || undefined,
    limit: PAGE_SIZE,
    minScore: filters.minScore ? Number(filters.minScore) : undefined,
    olderThanMinutes: filters.olderThanMinutes ? Number(filters.olderThanMinutes) : undefined,
    offset,
  };
  const list = useQuery(trpc.reviewQueue.list.queryOptions(listInput, { refetchInterval: 10_000 }));
  const categories = useQuery(trpc.reviewQueue.categories.queryOptions());
  // The item is read once its claim attempt settled, so a pre-claim read never overwrites the claim.
  const [claimSettled, setClaimSettled] = useState<string | null>(null);
  const item = useQuery(
    trpc.reviewQueue.item.queryOptions(
      { id: selectedId ?? '' },
      { enabled: selectedId !== null && claimSettled === selectedId },
    ),
  );
  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const reasons = useMemo<ActionReasons>(() => {
    const current = item.data;
    if (!current) return firstReasons;
    return picked?.itemId === current.id ? picked.reasons : defaultReasons(current);
  }, [item.data, picked]);
  const chooseReason = useCallback(
    (action: ModeratorAction, code: string) => {
      if (item.data) setPicked({ itemId: item.data.id, reasons: { ...reasons, [action]: code } });
    },
    [item.data, reasons],
  );

  const invalidate = useCallback(
    () => queryClient.invalidateQueries({ queryKey: trpc.reviewQueue.pathKey() }),
    [queryClient, trpc],
  );

  const claim = useMutation(trpc.reviewQueue.claim.mutationOptions());
  const renew = useMutation(trpc.reviewQueue.claim.mutationOptions());
  const claimNext = useMutation(trpc.reviewQueue.claimNext.mutationOptions());
  const release = useMutation(trpc.reviewQueue.release.mutationOptions());
  const decide = useMutation(trpc.reviewQueue.decide.mutationOptions());
  const decideMany = useMutation(trpc.reviewQueue.decideMany.mutationOptions());

  // Claim whatever is opened; release the previous claim so it does not sit idle until expiry.
  const claimed = useRef<string | null>(null);
  useEffect(() => {
    const previous = claimed.current;
    if (previous && previous !== selectedId) release.mutate({ id: previous });
    claimed.current = null;
    setClaimError(null);
    if (!selectedId) return;
    claim.mutate(
      { id: selectedId },
      {
        onSuccess: (fresh) => {
          claimed.current = selectedId;
          if (fresh)
            queryClient.setQueryData(trpc.reviewQueue.item.queryKey({ id: selectedId }), fresh);
          setClaimSettled(selectedId);
        },
        onError: (err) => {
          setClaimError(err.message);
          setClaimSettled(selectedId);
        },
      },
    );
  }, [selectedId]);

  // Open the first item no other moderator holds when nothing is open (the server picks and
  // claims it, so two moderators opening the queue at once get different items); when every
  // item is held, show the first one, read-only, with who holds it. An open item that leaves the
  // list (decided by someone else) stays on screen, so the moderator sees what happened to it.
  const opening = useRef(false);
  useEffect(() => {
    if (selectedId !== null || !items[0] || opening.current) return;
    opening.current = true;
    const { limit: _limit, offset: _offset, ...view } = listInput;
    claimNext.mutate(view, {
      onSuccess: ({ id }) => setSelectedId(id ?? items[0]?.id ?? null),
      onError: () => setSelectedId(items[0]?.id ?? null),
      onSettled: () => {
        opening.current = false;
      },
    });
  }, [items, selectedId]);

  // The lease follows the open tab: renewed every third of its length while the item is open
  // (and retried while someone else holds it, so a freed item becomes this moderator's), and
  // given back by a beacon when the tab goes away (pagehide) or the queue page unmounts.
  const lease = item.data?.leaseSeconds ?? 60;
  useEffect(() => {
    if (!selectedId || claimSettled !== selectedId) return;
    const id = selectedId;
    const timer = setInterval(
      () => {
        renew.mutate(
          { id },
          {
            onSuccess: (fresh) => {
              claimed.current = id;
              setClaimError(null);
              if (fresh) queryClient.setQueryData(trpc.reviewQueue.item.queryKey({ id }), fresh);
            },
            onError: (err) => {
              claimed.current = null;
              setClaimError(err.message);
              void queryClient.invalidateQueries({
                queryKey: trpc.reviewQueue.item.queryKey({ id }),
              });
            },
          },
        );
      },
      Math.max(1000, (lease * 1000) / 3),
    );
    return () => clearInterval(timer);
  }, [selectedId, claimSettled, lease]);
  useEffect(() => {
    function giveBack() {
      const id = claimed.current;
      if (!id) return;
      claimed.current = null;
      navigator.sendBeacon(
        '/api/queue/release',
        new Blob([JSON.stringify({ id })], { type: 'application/json' }),
      );
    }
    window.addEventListener('pagehide', giveBack);
    return () => {
      window.removeEventListener('pagehide', giveBack);
      giveBack();
    };
  }, []);

  const move = useCallback(
    (delta: number) => {
      if (items.length === 0) return;
      const index = items.findIndex((i) => i.id === selectedId);
      const next = items[Math.min(items.length - 1, Math.max(0, index + delta))];
      if (next) setSelectedId(next.id);
    },
    [items, selectedId],
  );

  const act = useCallback(
    (action: ModeratorAction) => {
      const current = item.data;
      if (!current || decide.isPending) return;
      if (claimError !== null || heldByOther(current, userId)) {
        setFlash({
          tone: 'error',
          text: `Not recorded: ${current.claimedBy?.name ?? 'another moderator'} holds ${current.externalId}.`,
        });
        return;
      }
      const index = items.findIndex((i) => i.id === current.id);
      const after = items[index + 1] ?? items[index - 1] ?? null;
      decide.mutate(
        {
          itemId: current.id,
          version: current.version,
          action,
          reasonCode: reasons[action],
          note: note || undefined,
        },
        {
          onSuccess: () => {
            setFlash({
              tone: 'success',
              text: `${pastTense[action]} ${current.externalId} (${reasons[action]}).`,
            });
            setNote('');
            claimed.current = null;
            setSelectedId(after && after.id !== current.id ? after.id : null);
            void invalidate();
          },
          onError: (err) => {
            setFlash({ tone: 'error', text: err.message });
            void invalidate();
          },
        },
      );
    },
    [item.data, decide, items, reasons, note, invalidate, claimError, userId],
  );

  const toggleChecked = useCallback((id: string) => {
    setChecked((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'Escape') {
        if (helpOpen) setHelpOpen(false);
        else if (isTyping(event.target)) (event.target as HTMLElement).blur();
        return;
      }
      if (isTyping(event.target)) return;
      const key = event.key;
      if (key === '?') setHelpOpen((open) => !open);
      else if (key === 'j') move(1);
      else if (key === 'k') move(-1);
      else if (key === 'x' && selectedId) toggleChecked(selectedId);
      else if (key === 'n') noteRef.current?.focus();
      else if (actionKeys[key]) act(actionKeys[key]);
      else if (/^[1-9]$/.test(key) && REMOVE_REASONS[Number(key) - 1])
        chooseReason('REMOVE', REMOVE_REASONS[Number(key) - 1]!.code);
      else return;
      event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [move, act, chooseReason, toggleChecked, selectedId, helpOpen]);

  // Closing or reloading the tab inside the undo window would drop an action the moderator
  // believes is done: the browser asks first.
  useEffect(() => {
    if (!pendingBulk) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [pendingBulk]);

  function runBulk() {
    const chosen = items
      .filter((i) => checked.has(i.id))
      .map((i) => ({ itemId: i.id, version: i.version }));
    if (chosen.length === 0) return;
    const action = bulk.action;
    const reason = bulk.reason;
    const bulkNote = note || undefined;
    // Sent only after the undo window: the decision log is append-only, so nothing is written
    // until the moderator had their chance to take it back.
    const timer = setTimeout(() => {
      setPendingBulk(null);
      commitBulk(chosen, action, reason, bulkNote);
    }, UNDO_MS);
    setPendingBulk({
      count: chosen.length,
      label: `${pastTense[action]} ${chosen.length} (${reason})`,
      timer,
    });
    setChecked(new Set());
  }

  function undoBulk() {
    if (!pendingBulk) return;
    clearTimeout(pendingBulk.timer);
    setFlash({ tone: 'info', text: `Undone: nothing was recorded for the ${pendingBulk.count}.` });
    setPendingBulk(null);
  }

  function commitBulk(
    chosen: { itemId: string; version: number }[],
    action: ModeratorAction,
    reasonCode: string,
    bulkNote: string | undefined,
  ) {
    decideMany.mutate(
      { items: chosen, action, reasonCode, note: bulkNote },
      {
        onSuccess: (result) => {
          const failed = result.results.filter((r) => !r.ok);
          setFlash({
            tone: failed.length ? 'error' : 'success',
            text: `${pastTense[action]} ${result.decided} of ${chosen.length}.${failed.length ? ` Not recorded: ${failed.map((f) => f.error).join(' ')}` : ''}`,
          });
          setNote('');
          void invalidate();
        },
        onError: (err) => setFlash({ tone: 'error', text: err.message }),
      },
    );
  }

  return (
    <div>
      <PageHeader
        title="Review queue"
        description={
          <>
            {list.data ? `${list.data.total} waiting` : 'Loading…'} · <kbd>j</kbd>/<kbd>k</kbd>{' '}
            move, <kbd>a</kbd> approve, <kbd>r</kbd> remove, <kbd>e</kbd> escalate, <kbd>?</kbd> all
            shortcuts
          </>
        }
        actions={
          <Button variant="outline" size="sm" onClick={() => setHelpOpen(true)}>
            Keyboard shortcuts
          </Button>
        }
      />
      {flash ? (
        <Alert tone={flash.tone} className="mb-3" data-testid="flash">
          {flash.text}
        </Alert>
      ) : null}
      {pendingBulk ? (
        <Alert
          tone="info"
          className="mb-3 flex items-center justify-between"
          data-testid="undo-bar"
        >
          <span>
            {pendingBulk.label}: recorded in {UNDO_MS / 1000} s unless you undo.
          </span>
          <Button size="sm" variant="outline" onClick={undoBulk}>
            Undo
          </Button>
        </Alert>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-[22rem_minmax(0,1fr)]">
        <div className="space-y-3">
          <QueueFilters
            filters={filters}
            categories={categories.data ?? []}
            onChange={(next) => {
              setFilters(next);
              setOffset(0);
              setSelectedId(null);
            }}
          />
          {checked.size > 0 ? (
            <Card className="space-y-2 p-3" data-testid="bulk-bar">
              <p className="text-xs font-medium">{checked.size} selected</p>
              <div className="flex gap-2">
                <Select
                  aria-label="Bulk action"
                  className="h-8 text-xs"
                  value={bulk.action}
                  onChange={(e) => {
                    const action = e.target.value as ModeratorAction;
                    setBulk({ action, reason: firstReasons[action] });
                  }}
                >
                  <option value="APPROVE">Approve</option>
                  <option value="REMOVE">Remove</option>
                  <option value="ESCALATE">Escalate</option>
                </Select>
                <Select
                  aria-label="Bulk reason"
                  className="h-8 text-xs"
                  value={bulk.reason}
                  onChange={(e) => setBulk({ ...bulk, reason: e.target.value })}
                >
                  {REASON_CODES[bulk.action].map((r) => (
                    <option key={r.code} value={r.code}>
                      {r.label}
                    </option>
                  ))}
                </Select>
              </div>
              <div className="flex gap-2">
                <Button
                  size="sm"
                  onClick={runBulk}
                  disabled={decideMany.isPending || pendingBulk !== null}
                >
                  Apply to {checked.size}
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setChecked(new Set())}>
                  Clear
                </Button>
              </div>
            </Card>
          ) : null}
          <Card className="overflow-hidden">
            <ul
              className="max-h-[calc(100vh-17rem)] divide-y divide-border overflow-y-auto"
              data-testid="queue-list"
            >
              {items.length === 0 && !list.isPending ? (
                <li className="p-6 text-center text-sm text-muted-foreground">
                  Nothing waiting here. Nice work.
                </li>
              ) : null}
              {items.map((row) => (
                <li
                  key={row.id}
                  data-testid="queue-row"
                  data-external-id={row.externalId}
                  aria-current={row.id === selectedId}
                  className={cn(
                    'flex cursor-pointer gap-3 p-2.5 hover:bg-muted/60',
                    row.id === selectedId && 'bg-indigo-50 hover:bg-indigo-50',
                  )}
                  onClick={() => setSelectedId(row.id)}
                >
                  <input
                    type="checkbox"
                    aria-label={`Select ${row.externalId}`}
                    className="mt-1"
                    checked={checked.has(row.id)}
                    onClick={(e) => e.stopPropagation()}
                    onChange={() => toggleChecked(row.id)}
                  />
                  <ItemImage
                    src={row.hasImage ? `/api/items/${row.id}/image` : null}
                    refused={row.refusal !== null}
                    size="thumb"
                  />
                  <div className="min-w-0 flex-1">
                    <div className="flex items-center justify-between gap-2">
                      <span className="truncate font-mono text-xs">{row.externalId}</span>
                      <span className="shrink-0 text-[11px] text-muted-foreground">
                        {timeAgo(row.createdAt)}
                      </span>
                    </div>
                    <p className="truncate text-xs text-muted-foreground">
                      {row.caption ?? <em>no caption</em>}
                    </p>
                    <div className="mt-1 flex flex-wrap items-center gap-1">
                      {row.refusal ? (
                        <Badge tone="red" data-testid="row-refusal">
                          {row.refusal.split(':')[0]}
                        </Badge>
                      ) : row.topScore !== null ? (
                        <ScoreBar score={row.topScore} />
                      ) : row.status === 'PENDING' ? (
                        <Badge>unscored</Badge>
                      ) : null}
                      {row.topDetector ? (
                        <span className="text-[11px] text-muted-foreground">{row.topDetector}</span>
                      ) : null}
                      {row.claim && !row.claim.byMe ? (
                        <Badge tone="amber">{row.claim.name} reviewing</Badge>
                      ) : null}
                    </div>
                  </div>
                </li>
              ))}
            </ul>
          </Card>
          {list.data && list.data.total > items.length ? (
            <div className="flex items-center justify-between text-xs text-muted-foreground">
              <span data-testid="queue-page">
                {offset + 1}–{offset + items.length} of {list.data.total}
              </span>
              <span className="flex gap-2">
                <Button
                  size="sm"
                  variant="outline"
                  disabled={offset === 0}
                  onClick={() => {
                    setOffset(Math.max(0, offset - PAGE_SIZE));
                    setSelectedId(null);
                  }}
                >
                  Previous
                </Button>
                <Button
                  size="sm"
                  variant="outline"
                  disabled={list.data.nextOffset === null}
                  onClick={() => {
                    setOffset(list.data.nextOffset ?? offset);
                    setSelectedId(null);
                  }}
                >
                  Next
                </Button>
              </span>
            </div>
          ) : null}
        </div>
        <ItemPanel
          item={item.data ?? null}
          loading={item.isPending && selectedId !== null}
          claimError={claimError}
          userId={userId}
          heldByOther={item.data ? claimError !== null || heldByOther(item.data, userId) : false}
          reasons={reasons}
          onReason={chooseReason}
          note={note}
          onNote={setNote}
          noteRef={noteRef}
          onAct={act}
          busy={decide.isPending}
          extraActions={
            <RemoveAndBank
              item={item.data ?? null}
              reasonCode={reasons.REMOVE}
              note={note}
              busy={decide.isPending}
              onDone={(text) => {
                // As after any decision: say so, clear the note, open the next item.
                const index = items.findIndex((i) => i.id === item.data?.id);
                const after = items[index + 1] ?? items[index - 1] ?? null;
                setFlash({ tone: 'success', text });
                setNote('');
                claimed.current = null;
                setSelectedId(after && after.id !== item.data?.id ? after.id : null);
                void invalidate();
              }}
              onError={(text) => {
                setFlash({ tone: 'error', text });
                void invalidate();
              }}
            />
          }
        />
      </div>
      <ShortcutsHelp open={helpOpen} onOpenChange={setHelpOpen} />
    </div>
  );
}
