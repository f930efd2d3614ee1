'use client';

import { useQuery } from '@tanstack/react-query';
import { Card, CardDescription, CardHeader, CardTitle } from '~/components/ui/card';
import { useTRPC } from '~/trpc/client';

/** Live counts read from the database through tRPC. */
export function StatusPanel() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions(undefined, { refetchInterval: 5_000 }));
  if (status.isError) return <p role="alert">Could not reach the API: {status.error.message}</p>;
  const s = status.data;
  const tiles = [
    { label: 'Items waiting for review', value: s?.inReview, id: 'in-review' },
    { label: 'Decisions logged', value: s?.decisions, id: 'decisions' },
    { label: 'Training runs', value: s?.runs, id: 'runs' },
    {
      label: 'Queued / running',
      value: s ? `${s.queued} / ${s.running}` : undefined,
      id: 'active',
    },
  ];
  return (
    <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="status">
      {tiles.map((t) => (
        <Card key={t.id}>
          <CardHeader>
            <CardDescription>{t.label}</CardDescription>
            <CardTitle className="text-2xl tabular-nums" data-testid={t.id}>
              {t.value ?? '…'}
            </CardTitle>
          </CardHeader>
        </Card>
      ))}
    </div>
  );
}
