'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { PageHeader } from '~/components/page-header';
import { Progress } from '~/components/progress';
import { StatusBadge } from '~/components/status-badge';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Select } from '~/components/ui/input';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { metric, timeAgo } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

const statuses = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

/** All runs with status, progress and their latest losses; pick two or more to compare. */
export function RunsList() {
  const trpc = useTRPC();
  const [status, setStatus] = useState<(typeof statuses)[number] | ''>('');
  const [picked, setPicked] = useState<string[]>([]);
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
      <Card>
        <Table data-testid="runs">
          <THead>
            <Tr>
              <Th className="w-8" />
              <Th>Run</Th>
              <Th>Status</Th>
              <Th>Progress</Th>
              <Th>D loss</Th>
              <Th>G loss</Th>
              <Th>Steps/s</Th>
              <Th>Created</Th>
            </Tr>
          </THead>
          <TBody>
            {runs.data?.map((r) => {
              const config = r.config as { model?: string; dataset?: { kind?: string } };
              return (
                <Tr key={r.id} data-testid="run-row">
                  <Td>
                    <input
                      type="checkbox"
                      aria-label={`Compare ${r.name}`}
                      checked={picked.includes(r.id)}
                      onChange={(e) =>
                        setPicked((p) =>
                          e.target.checked ? [...p, r.id] : p.filter((x) => x !== r.id),
                        )
                      }
                    />
                  </Td>
                  <Td>
                    <Link href={`/runs/${r.id}`} className="font-medium hover:underline">
                      {r.name}
                    </Link>
                    <p className="text-xs text-muted-foreground">
                      {config.model ?? '?'} · {config.dataset?.kind ?? '?'}
                    </p>
                  </Td>
                  <Td>
                    <StatusBadge status={r.status} />
                    {r.cancelRequested && r.status === 'RUNNING' ? (
                      <span className="ml-1 text-xs text-amber-700">stopping</span>
                    ) : null}
                  </Td>
                  <Td>
                    <Progress step={r.step} total={r.totalSteps} />
                  </Td>
                  <Td className="tabular-nums">{metric(r.latest.d)}</Td>
                  <Td className="tabular-nums">{metric(r.latest.g)}</Td>
                  <Td className="tabular-nums">{metric(r.latest.steps_per_sec)}</Td>
                  <Td className="text-xs text-muted-foreground">
                    {timeAgo(r.createdAt)}
                    {r.createdBy ? ` by ${r.createdBy.name}` : ''}
                  </Td>
                </Tr>
              );
            })}
            {runs.data?.length === 0 ? (
              <Tr>
                <Td colSpan={8} className="py-8 text-center text-sm text-muted-foreground">
                  No runs yet.{' '}
                  <Link href="/runs/new" className="text-indigo-600 hover:underline">
                    Launch one
                  </Link>
                  .
                </Td>
              </Tr>
            ) : null}
          </TBody>
        </Table>
      </Card>
    </div>
  );
}
