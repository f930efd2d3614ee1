'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ChangeEvent } from 'react';
import { DataTable, type Column } from '~/components/data-table';
import { PageHeader } from '~/components/page-header';
import { Alert } from '~/components/ui/alert';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { ConfirmDialog } from '~/components/confirm-button';
import { Input, Select } from '~/components/ui/input';
import { timeAgo, utc } from '~/lib/format';
import {
  BANK_LABELS,
  BANK_LABEL_TITLES,
  policyLabelOfBankLabel,
  type BankLabel,
} from '@ganmod/moderation/contract';
import type { RouterOutputs } from '~/trpc/types';
import { useTRPC } from '~/trpc/client';
import { BankHistory } from './bank-history';

type Entry = RouterOutputs['bank']['list']['entries'][number];
type Change = { kind: 'disable' | 'enable' | 'delete'; entry: Entry };

const labelTone: Record<BankLabel, 'red' | 'amber' | 'violet' | 'blue' | 'neutral'> = {
  CSAM: 'red',
  TERROR: 'red',
  NON_CONSENSUAL: 'red',
  COPYRIGHT: 'violet',
  SPAM: 'amber',
  CUSTOM: 'neutral',
};

/** POSTs a file to a bank upload route; the JSON answer, or its `error` thrown. */
async function upload<T>(url: string, file: File, type: string): Promise<T> {
  const res = await fetch(url, { method: 'POST', body: file, headers: { 'Content-Type': type } });
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as T & {
    error?: string;
    problems?: string[];
  };
  if (!res.ok) {
    const more = body.problems && body.problems.length > 1 ? `\n${body.problems.join('\n')}` : '';
    throw new Error(`${body.error ?? `HTTP ${res.status}`}${more}`);
  }
  return body;
}

/** `69 hashes`: one banked picture is stored as many rows (its crops, strip, signatures). */
const hashCount = (n: number) => `${n} hash${n === 1 ? '' : 'es'}`;
const pictures = (n: number) => `${n} picture${n === 1 ? '' : 's'}`;

/**
 * The hash bank, one row per banked picture (its hashes together): thumbnail of the source item,
 * label, number of hashes, who added it and when, match count summed over its hashes; search by image or hash, disable/enable and (admins) delete with a confirmation, TE CSV
 * export and (admins) import, and the bank's audit trail.
 */
export function BankView({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState<BankLabel | ''>('');
  const [showDisabled, setShowDisabled] = useState<'all' | 'enabled' | 'disabled'>('all');
  const [hashInput, setHashInput] = useState('');
  const [near, setNear] = useState<string | null>(null);
  const [message, setMessage] = useState<{
    tone: 'success' | 'error' | 'info';
    text: string;
  } | null>(null);
  const [change, setChange] = useState<Change | null>(null);
  const [changeNote, setChangeNote] = useState('');
  const [importLabel, setImportLabel] = useState<BankLabel | ''>('');
  const imageRef = useRef<HTMLInputElement>(null);
  const csvRef = useRef<HTMLInputElement>(null);

  const list = useQuery(
    trpc.bank.list.queryOptions({
      label: label || undefined,
      disabled: showDisabled === 'all' ? undefined : showDisabled === 'disabled',
      near: near ?? undefined,
      limit: 100,
    }),
  );
  const summary = useQuery(trpc.bank.summary.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.bank.pathKey() });

  const setDisabled = useMutation(trpc.bank.setDisabled.mutationOptions());
  const remove = useMutation(trpc.bank.delete.mutationOptions());

  function confirmChange() {
    if (!change) return;
    const { kind, entry } = change;
    const done = (n: number) => {
      setMessage({
        tone: 'success',
        text: `${n ? `${kind === 'delete' ? 'Deleted' : kind === 'disable' ? 'Disabled' : 'Enabled'}` : 'Nothing changed for'} ${entry.hash.slice(0, 16)}… (${entry.label.toLowerCase()}, ${hashCount(entry.hashCount)}).`,
      });
      setChange(null);
      setChangeNote('');
      void refresh();
    };
    const failed = (err: { message: string }) => {
      setMessage({ tone: 'error', text: err.message });
      setChange(null);
    };
    const note = changeNote.trim() || undefined;
    if (kind === 'delete') {
      remove.mutate(
        { ids: [entry.id], note },
        { onSuccess: (r) => done(r.deleted), onError: failed },
      );
    } else {
      setDisabled.mutate(
        { ids: [entry.id], disabled: kind === 'disable', note },
        { onSuccess: (r) => done(r.changed), onError: failed },
      );
    }
  }

  async function searchByImage(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    try {
      const r = await upload<{ hash: string; quality: number; near: string[] }>(
        '/api/bank/search',
        file,
        file.type || 'application/octet-stream',
      );
      setHashInput(r.hash);
      // Its rotations and mirrors too: the bank stores none of them.
      setNear(r.near.join(','));
      setMessage({ tone: 'info', text: `${file.name}: PDQ ${r.hash} (quality ${r.quality}).` });
    } catch (err) {
      setMessage({ tone: 'error', text: (err as Error).message });
    }
  }

  async function importCsv(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const params = new URLSearchParams({ source: file.name });
    if (importLabel) params.set('label', importLabel);
    try {
      const r = await upload<{ added: number; alreadyBanked: number }>(
        `/api/bank/import?${params}`,
        file,
        'text/csv',
      );
      setMessage({
        tone: 'success',
        text: `Imported ${file.name}: ${r.added} hash(es) added, ${r.alreadyBanked} already banked.`,
      });
      void refresh();
    } catch (err) {
      setMessage({
        tone: 'error',
        text: `Nothing imported from ${file.name}: ${(err as Error).message}`,
      });
    }
  }

  const columns: Column<Entry>[] = [
    {
      key: 'image',
      header: 'Image',
      cell: (e) =>
        e.sourceItem?.imagePath ? (
          <img
            src={`/api/items/${e.sourceItem.id}/image`}
            alt={`Source item of ${e.hash.slice(0, 8)}`}
            className="h-12 w-12 rounded object-cover"
            loading="lazy"
          />
        ) : (
          <span className="text-xs text-muted-foreground">
            {e.sourceItemId ? 'item gone' : '—'}
          </span>
        ),
    },
    {
      key: 'hash',
      header: 'PDQ hash',
      cell: (e) => (
        <>
          <span className="font-mono text-xs" title={e.hash}>
            {e.hash.slice(0, 16)}…
          </span>
          <p className="text-xs text-muted-foreground">
            <span data-testid="hash-count">{hashCount(e.hashCount)}</span>
            {e.quality === null ? '' : ` · quality ${e.quality}`}
            {e.distance === undefined ? '' : ` · distance ${e.distance}`}
          </p>
        </>
      ),
    },
    {
      key: 'label',
      header: 'Label',
      cell: (e) => (
        <Badge tone={labelTone[e.label]} title={BANK_LABEL_TITLES[e.label]}>
          {policyLabelOfBankLabel(e.label)}
        </Badge>
      ),
    },
    {
      key: 'added',
      header: 'Added',
      className: 'text-xs',
      cell: (e) => (
        <>
          <p>{e.createdBy?.name ?? <span className="text-muted-foreground">{e.source}</span>}</p>
          <p className="text-muted-foreground" title={utc(e.createdAt)}>
            {timeAgo(e.createdAt)}
          </p>
        </>
      ),
    },
    {
      key: 'matches',
      header: 'Matches',
      className: 'text-xs tabular-nums',
      cell: (e) => (
        <span data-testid="match-count">
          {e.matchCount}
          {e.lastMatchedAt ? (
            <span className="text-muted-foreground"> · last {timeAgo(e.lastMatchedAt)}</span>
          ) : null}
        </span>
      ),
    },
    {
      key: 'state',
      header: 'State',
      cell: (e) =>
        e.disabled ? <Badge tone="amber">disabled</Badge> : <Badge tone="green">enabled</Badge>,
    },
    {
      key: 'actions',
      header: '',
      cell: (e) => (
        <div className="flex gap-1">
          <Button
            size="sm"
            variant="outline"
            onClick={() => setChange({ kind: e.disabled ? 'enable' : 'disable', entry: e })}
          >
            {e.disabled ? 'Enable' : 'Disable'}
          </Button>
          {isAdmin ? (
            <Button
              size="sm"
              variant="destructive"
              onClick={() => setChange({ kind: 'delete', entry: e })}
            >
              Delete
            </Button>
          ) : null}
        </div>
      ),
    },
  ];

  const totals = summary.data
    ? BANK_LABELS.map((l) => ({ label: l, ...summary.data[l] })).filter(
        (t) => t.enabled + t.disabled > 0,
      )
    : [];

  return (
    <div className="space-y-4">
      <PageHeader
        title="Hash bank"
        description="Hashes of known content. New submissions are matched against the enabled entries; the label decides what the policy does with a match."
        actions={
          <>
            <Button asChild variant="outline" size="sm">
              <a
                href={`/api/bank/export${label ? `?label=${label}` : ''}`}
                download
                data-testid="bank-export"
              >
                Export CSV
              </a>
            </Button>
            {isAdmin ? (
              <>
                <Select
                  aria-label="Import label"
                  className="h-8 w-auto text-xs"
                  value={importLabel}
                  onChange={(e) => setImportLabel(e.target.value as BankLabel | '')}
                >
                  <option value="">Labels from the file</option>
                  {BANK_LABELS.map((l) => (
                    <option key={l} value={l}>
                      All as {policyLabelOfBankLabel(l)}
                    </option>
                  ))}
                </Select>
                <Button size="sm" onClick={() => csvRef.current?.click()}>
                  Import CSV
                </Button>
                <input
                  ref={csvRef}
                  type="file"
                  accept=".csv,text/csv,text/plain"
                  className="hidden"
                  data-testid="bank-import-file"
                  onChange={(e) => void importCsv(e)}
                />
              </>
            ) : null}
          </>
        }
      />

      <p className="text-sm text-muted-foreground" data-testid="bank-summary">
        {totals.length === 0
          ? 'The bank is empty.'
          : totals
              .map(
                (t) =>
                  `${policyLabelOfBankLabel(t.label)} ${t.enabled}${t.disabled ? ` (+${t.disabled} disabled)` : ''}`,
              )
              .join(' · ')}
      </p>

      {message ? (
        <Alert tone={message.tone} className="whitespace-pre-line" data-testid="bank-message">
          {message.text}
        </Alert>
      ) : null}

      <div className="flex flex-wrap items-center gap-2">
        <Select
          aria-label="Label"
          className="w-48"
          value={label}
          onChange={(e) => setLabel(e.target.value as BankLabel | '')}
        >
          <option value="">All labels</option>
          {BANK_LABELS.map((l) => (
            <option key={l} value={l}>
              {policyLabelOfBankLabel(l)}
            </option>
          ))}
        </Select>
        <Select
          aria-label="State"
          className="w-36"
          value={showDisabled}
          onChange={(e) => setShowDisabled(e.target.value as typeof showDisabled)}
        >
          <option value="all">All pictures</option>
          <option value="enabled">Enabled</option>
          <option value="disabled">Disabled</option>
        </Select>
        <form
          className="flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setNear(hashInput.trim() || null);
          }}
        >
          <Input
            aria-label="Search by hash"
            placeholder="Paste a PDQ hash (64 hex)"
            className="w-80 font-mono text-xs"
            value={hashInput}
            onChange={(e) => setHashInput(e.target.value)}
          />
          <Button size="sm" type="submit" variant="outline">
            Search
          </Button>
        </form>
        <Button size="sm" variant="outline" onClick={() => imageRef.current?.click()}>
          Search by image…
        </Button>
        <input
          ref={imageRef}
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          className="hidden"
          data-testid="bank-search-image"
          onChange={(e) => void searchByImage(e)}
        />
        {near ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setNear(null);
              setHashInput('');
            }}
          >
            Clear search
          </Button>
        ) : null}
      </div>

      {list.error ? <Alert tone="error">{list.error.message}</Alert> : null}
      <p className="text-xs text-muted-foreground" data-testid="bank-total">
        {list.data
          ? near
            ? `${pictures(list.data.total)} within distance 31, closest first`
            : `${pictures(list.data.total)}, newest first`
          : ''}
      </p>
      <DataTable
        columns={columns}
        rows={list.data?.entries ?? []}
        rowKey={(e) => e.id}
        loading={list.isPending}
        empty={near ? 'No picture is near that hash.' : 'No pictures.'}
        testId="bank-entries"
        rowTestId="bank-row"
      />

      <BankHistory />

      {change ? (
        <ConfirmDialog
          open
          onOpenChange={(open) => (open ? null : setChange(null))}
          title={`${change.kind === 'delete' ? 'Delete' : change.kind === 'disable' ? 'Disable' : 'Enable'} this picture?`}
          description={
            change.kind === 'delete'
              ? `${change.entry.hash.slice(0, 16)}… (${policyLabelOfBankLabel(change.entry.label)}, ${hashCount(change.entry.hashCount)}) is removed for good; copies stop matching. The bank history keeps the record.`
              : change.kind === 'disable'
                ? `Copies of ${change.entry.hash.slice(0, 16)}… stop matching from the next scored item. It can be enabled again.`
                : `Copies of ${change.entry.hash.slice(0, 16)}… match again from the next scored item.`
          }
          confirmLabel={
            change.kind === 'delete' ? 'Delete' : change.kind === 'disable' ? 'Disable' : 'Enable'
          }
          onConfirm={confirmChange}
          pending={setDisabled.isPending || remove.isPending}
          variant={change.kind === 'enable' ? 'default' : 'destructive'}
          closeOnConfirm={false}
          confirmTestId="confirm-bank-change"
        >
          <Input
            aria-label="Why (kept in the bank history)"
            placeholder="Why (optional, kept in the bank history)"
            value={changeNote}
            maxLength={500}
            onChange={(e) => setChangeNote(e.target.value)}
          />
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
