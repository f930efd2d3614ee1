'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { PageHeader } from '~/components/page-header';
import { Alert } from '~/components/ui/alert';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Select } from '~/components/ui/input';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { timeAgo, utc } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

type Status = 'PENDING' | 'DELIVERED' | 'FAILED';
const TONE = { PENDING: 'amber', DELIVERED: 'green', FAILED: 'red' } as const;

/** Admin: the latest webhook deliveries, their attempts and last response, with a replay. */
export function WebhookDeliveries() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status | ''>('');
  const input = { limit: 100, ...(status ? { status } : {}) };
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.queryOptions(input),
    refetchInterval: 5000,
  });
  const replay = useMutation(
    trpc.webhooks.replay.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey() }),
    }),
  );

  return (
    <div className="space-y-4">
      <PageHeader
        title="Webhook deliveries"
        description="What the worker sent to each key's callback URL. Replay sends an event again with the same webhook-id."
      />
      <div className="flex items-center gap-2 text-sm">
        <label htmlFor="delivery-status">Status</label>
        <Select
          id="delivery-status"
          className="w-40"
          value={status}
          onChange={(e) => setStatus(e.target.value as Status | '')}
        >
          <option value="">all</option>
          <option value="PENDING">pending</option>
          <option value="DELIVERED">delivered</option>
          <option value="FAILED">failed</option>
        </Select>
      </div>
      {replay.error ? <Alert tone="error">{replay.error.message}</Alert> : null}
      <Card>
        <Table data-testid="webhook-deliveries">
          <THead>
            <Tr>
              <Th>Event</Th>
              <Th>Submission</Th>
              <Th>Key</Th>
              <Th>Status</Th>
              <Th>Attempts</Th>
              <Th>Last response</Th>
              <Th>Created</Th>
              <Th />
            </Tr>
          </THead>
          <TBody>
            {deliveries.data?.map((d) => (
              <Tr key={d.id} data-delivery={d.event.id}>
                <Td className="text-xs">
                  <div className="font-medium">{d.event.type}</div>
                  <div className="font-mono text-muted-foreground">{d.event.id}</div>
                </Td>
                <Td className="font-mono text-xs">
                  {d.event.item.externalId} #{d.sequence}
                </Td>
                <Td className="text-xs">
                  {d.endpoint.apiKey.name}
                  {d.endpoint.enabled ? null : (
                    <div className="text-destructive" title={d.endpoint.disabledReason ?? ''}>
                      endpoint disabled
                    </div>
                  )}
                </Td>
                <Td>
                  <Badge tone={TONE[d.status]}>{d.status.toLowerCase()}</Badge>
                  {d.status === 'PENDING' && d.attempts > 0 ? (
                    <div className="text-xs text-muted-foreground">
                      next try {utc(d.nextAttemptAt)} UTC
                    </div>
                  ) : null}
                </Td>
                <Td className="tabular-nums" data-testid="attempts">
                  {d.attempts}
                </Td>
                <Td className="max-w-xs text-xs">
                  {d.lastStatusCode !== null ? <strong>HTTP {d.lastStatusCode} </strong> : null}
                  <span className="break-all text-muted-foreground">
                    {d.lastResponse?.slice(0, 120)}
                  </span>
                </Td>
                <Td className="text-xs text-muted-foreground">{timeAgo(d.createdAt)}</Td>
                <Td className="text-right">
                  <Button
                    size="sm"
                    variant="outline"
                    disabled={replay.isPending}
                    onClick={() => replay.mutate({ deliveryId: d.id })}
                  >
                    Replay
                  </Button>
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
        {deliveries.data?.length === 0 ? (
          <p className="p-4 text-sm text-muted-foreground">No deliveries yet.</p>
        ) : null}
      </Card>
    </div>
  );
}
