'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { PageHeader } from '~/components/page-header';
import { StatusBadge } from '~/components/status-badge';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Select } from '~/components/ui/input';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { utc } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

const actions = ['APPROVE', 'REMOVE', 'ESCALATE', 'ALLOW', 'REVIEW', 'BLOCK'] as const;

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
      <Card>
        <Table data-testid="decision-log">
          <THead>
            <Tr>
              <Th>Time (UTC)</Th>
              <Th>Item</Th>
              <Th>Action</Th>
              <Th>Reason</Th>
              <Th>By</Th>
              <Th>Note</Th>
            </Tr>
          </THead>
          <TBody>
            {rows.map((d) => (
              <Tr key={d.id} data-testid="log-row">
                <Td className="whitespace-nowrap tabular-nums text-xs">{utc(d.createdAt)}</Td>
                <Td>
                  <span className="font-mono text-xs">{d.item.externalId}</span>
                  <p className="max-w-xs truncate text-xs text-muted-foreground">
                    {d.item.caption}
                  </p>
                </Td>
                <Td>
                  <StatusBadge status={d.action} />
                </Td>
                <Td className="font-mono text-xs">{d.reasonCode}</Td>
                <Td className="text-sm">
                  {d.actor?.name ?? <span className="text-muted-foreground">policy</span>}
                </Td>
                <Td className="max-w-xs truncate text-xs">{d.note}</Td>
              </Tr>
            ))}
            {rows.length === 0 && !log.isPending ? (
              <Tr>
                <Td colSpan={6} className="py-8 text-center text-sm text-muted-foreground">
                  No decisions match.
                </Td>
              </Tr>
            ) : null}
          </TBody>
        </Table>
      </Card>
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
    </div>
  );
}
