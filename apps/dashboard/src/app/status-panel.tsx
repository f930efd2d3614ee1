'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/client';

/** Live counts read from the database through tRPC. */
export function StatusPanel() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions(undefined, { refetchInterval: 5_000 }));
  if (status.isPending) return <p>Loading…</p>;
  if (status.isError) return <p role="alert">Could not reach the API: {status.error.message}</p>;
  const s = status.data;
  return (
    <dl data-testid="status">
      <dt>Training runs</dt>
      <dd data-testid="runs">{s.runs}</dd>
      <dt>Queued / running</dt>
      <dd>
        {s.queued} / {s.running}
      </dd>
      <dt>Items in review</dt>
      <dd data-testid="in-review">{s.inReview}</dd>
      <dt>Decisions logged</dt>
      <dd>{s.decisions}</dd>
    </dl>
  );
}
