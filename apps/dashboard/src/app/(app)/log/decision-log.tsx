'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { DataTable, type Column } from '~/components/data-table';
import { PageHeader } from '~/components/page-header';
import { StatusBadge } from '~/components/status-badge';
import { Button } from '~/components/ui/button';
import { Select } from '~/components/ui/input';
import { utc } from '~/lib/format';
import type { RouterOutputs } from '~/trpc/types';
import { useTRPC } from '~/trpc/client';
import { BankHistory } from '../bank/bank-history';

const actions = ['APPROVE', 'REMOVE', 'ESCALATE', 'ALLOW', 'REVIEW', 'BLOCK'] as const;

type LogRow = RouterOutputs['decisions']['log']['rows'][number];

const columns: Column<LogRow>[] = [
  {
    key: 'time',
    header: 'Time (UTC)',
    className: 'whitespace-nowrap tabular-nums text-xs',
    cell: (d) => utc(d.createdAt),
  },
  {
    key: 'item',
    header: 'Item',
    cell: (d) => (
      <>
        <span className="font-mono text-xs">{d.item.externalId}</span>
        <p className="max-w-xs truncate text-xs text-muted-foreground">{d.item.caption}</p>
      </>
    ),
  },
  { key: 'action', header: 'Action', cell: (d) => <StatusBadge status={d.action} /> },
  { key: 'reason', header: 'Reason', className: 'font-mono text-xs', cell: (d) => d.reasonCode },
  {
    key: 'by',
    header: 'By',
    className: 'text-sm',
    // The name the moderator had when deciding: renaming a user does not rewrite the log.
    cell: (d) =>
      d.actorId === null ? (
        <span className="text-muted-foreground">policy</span>
      ) : (
        (d.actorName ?? <span className="text-muted-foreground">unknown</span>)
      ),
  },
  { key: 'note', header: 'Note', className: 'max-w-xs truncate text-xs', cell: (d) => d.note },
];

/** The append-only audit log, newest first, filterable by moderator and action. */
export function DecisionLog() {
  const trpc = useTRPC();
  const [actorId, setActorId] = useState('');
  const [action, setAction] = useState<(typeof actions)[number] | ''>('');
  const moderators = useQuery(trpc.decisions.moderators.queryOptions());
  const log = useInfiniteQuery(
    trpc.decisions.log.infiniteQueryOptions(
      { actorId: actorId || undefined, action: action || undefined, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor, refetchInterval: 10_000 },
    ),
  );
  const rows = log.data?.pages.flatMap((p) => p.rows) ?? [];
  return (
    <div>
      <PageHeader
        title="Decision log"
        description="Every decision, by moderators and by the automatic policy. Nothing here can be edited or deleted."
      />
      <div className="mb-3 flex flex-wrap gap-2">
        <Select
          aria-label="Moderator"
          className="w-52"
          value={actorId}
          onChange={(e) => setActorId(e.target.value)}
        >
          <option value="">All moderators</option>
          <option value="policy">Automatic policy</option>
          {moderators.data?.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Action"
          className="w-40"
          value={action}
          onChange={(e) => setAction(e.target.value as typeof action)}
        >
          <option value="">All actions</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a.toLowerCase()}
            </option>
          ))}
        </Select>
      </div>
      <DataTable
        columns={columns}
        rows={rows}
        rowKey={(d) => d.id}
        loading={log.isPending}
        empty="No decisions match."
        testId="decision-log"
        rowTestId="log-row"
      />
      {log.hasNextPage ? (
        <Button
          variant="outline"
          className="mt-3"
          onClick={() => void log.fetchNextPage()}
          disabled={log.isFetchingNextPage}
        >
          Load older
        </Button>
      ) : null}
      {/* Changes to the hash bank are audited apart (most have no item): shown here too. */}
      <div className="mt-6">
        <BankHistory limit={10} />
      </div>
    </div>
  );
}
