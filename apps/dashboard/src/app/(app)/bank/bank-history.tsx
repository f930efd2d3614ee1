'use client';

import { useQuery } from '@tanstack/react-query';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { utc } from '~/lib/format';
import { policyLabelOfBankLabel } from '@ganmod/moderation/contract';
import { useTRPC } from '~/trpc/client';

/** The bank's append-only history (who added, imported, disabled, enabled or deleted what), newest first. */
export function BankHistory({ limit = 20 }: { limit?: number }) {
  const trpc = useTRPC();
  const events = useQuery(trpc.bank.events.queryOptions({ limit }, { refetchInterval: 10_000 }));
  return (
    <Card>
      <CardHeader>
        <CardTitle>Bank history</CardTitle>
      </CardHeader>
      <CardContent>
        <ol className="space-y-1 text-xs" data-testid="bank-events">
          {events.data?.length === 0 ? (
            <li className="text-muted-foreground">No changes yet.</li>
          ) : null}
          {events.data?.map((ev) => (
            <li key={ev.id} className="flex flex-wrap gap-x-2">
              <span className="tabular-nums text-muted-foreground">{utc(ev.createdAt)}</span>
              <span className="font-medium">{ev.action.toLowerCase()}</span>
              <span>{ev.actorName ?? 'system'}</span>
              {ev.label ? <span>{policyLabelOfBankLabel(ev.label)}</span> : null}
              {ev.hash ? <span className="font-mono">{ev.hash.slice(0, 16)}…</span> : null}
              <span className="text-muted-foreground">{ev.note}</span>
            </li>
          ))}
        </ol>
      </CardContent>
    </Card>
  );
}
