'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { DataTable, type Column } from '~/components/data-table';
import { PageHeader } from '~/components/page-header';
import { Progress } from '~/components/progress';
import { StatusBadge } from '~/components/status-badge';
import { Button } from '~/components/ui/button';
import { Select } from '~/components/ui/input';
import { metric, timeAgo } from '~/lib/format';
import type { RouterOutputs } from '~/trpc/types';
import { useTRPC } from '~/trpc/client';

const statuses = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

type RunRow = RouterOutputs['runs']['list'][number];

/** All runs with status, progress and their latest losses; pick two or more to compare. */
export function RunsList() {
  const trpc = useTRPC();
  const [status, setStatus] = useState<(typeof statuses)[number] | ''>('');
  const [picked, setPicked] = useState<string[]>([]);
  const columns: Column<RunRow>[] = [
    {
      key: 'pick',
      headerClassName: 'w-8',
      cell: (r) => (
        <input
          type="checkbox"
          aria-label={`Compare ${r.name}`}
          checked={picked.includes(r.id)}
          onChange={(e) =>
            setPicked((p) => (e.target.checked ? [...p, r.id] : p.filter((x) => x !== r.id)))
          }
        />
      ),
    },
    {
      key: 'run',
      header: 'Run',
      cell: (r) => {
        const config = r.config as { model?: string; dataset?: { kind?: string } };
        return (
          <>
            <Link href={`/runs/${r.id}`} className="font-medium hover:underline">
              {r.name}
            </Link>
            <p className="text-xs text-muted-foreground">
              {config.model ?? '?'} · {config.dataset?.kind ?? '?'}
            </p>
          </>
        );
      },
    },
    {
      key: 'status',
      header: 'Status',
      cell: (r) => (
        <>
          <StatusBadge status={r.status} />
          {r.cancelRequested && r.status === 'RUNNING' ? (
            <span className="ml-1 text-xs text-amber-700">stopping</span>
          ) : null}
        </>
      ),
    },
    {
      key: 'progress',
      header: 'Progress',
      cell: (r) => <Progress step={r.step} total={r.totalSteps} />,
    },
    { key: 'd', header: 'D loss', className: 'tabular-nums', cell: (r) => metric(r.latest.d) },
    { key: 'g', header: 'G loss', className: 'tabular-nums', cell: (r) => metric(r.latest.g) },
    {
      key: 'sps',
      header: 'Steps/s',
      className: 'tabular-nums',
      cell: (r) => metric(r.latest.steps_per_sec),
    },
    {
      key: 'created',
      header: 'Created',
      className: 'text-xs text-muted-foreground',
      cell: (r) => `${timeAgo(r.createdAt)}${r.createdBy ? ` by ${r.createdBy.name}` : ''}`,
    },
  ];
  const runs = useQuery(
    trpc.runs.list.queryOptions({ status: status || undefined }, { refetchInterval: 5_000 }),
  );
  return (
    <div>
      <PageHeader
        title="Training runs"
        description="Queued runs are claimed by trainer workers. Select runs to compare their curves and configs."
        actions={
          <>
            {picked.length >= 2 ? (
              <Button variant="outline" asChild>
                <Link href={`/runs/compare?ids=${picked.join(',')}`}>Compare {picked.length}</Link>
              </Button>
            ) : null}
            <Button asChild>
              <Link href="/runs/new">Launch a run</Link>
            </Button>
          </>
        }
      />
      <Select
        aria-label="Status"
        className="mb-3 w-44"
        value={status}
        onChange={(e) => setStatus(e.target.value as typeof status)}
      >
        <option value="">All statuses</option>
        {statuses.map((s) => (
          <option key={s} value={s}>
            {s.toLowerCase()}
          </option>
        ))}
      </Select>
      <DataTable
        columns={columns}
        rows={runs.data ?? []}
        rowKey={(r) => r.id}
        loading={runs.isPending}
        empty={
          <>
            No runs yet.{' '}
            <Link href="/runs/new" className="text-indigo-600 hover:underline">
              Launch one
            </Link>
            .
          </>
        }
        testId="runs"
        rowTestId="run-row"
      />
    </div>
  );
}
