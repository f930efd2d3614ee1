'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/client';

type Row = { id: number; step: number; name: string; value: number };

/**
 * A run's metric points, fetched incrementally (only rows newer than the last seen id) every
 * `intervalMs` while `live`, so a long run's page does not re-download its whole history.
 */
export function useRunMetrics(runId: string, live: boolean, intervalMs = 2_000): Row[] {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<Row[]>([]);
  const lastId = useRef(0);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function tick() {
      try {
        const fresh = await queryClient.fetchQuery({
          ...trpc.runs.metrics.queryOptions({ id: runId, afterId: lastId.current }),
          staleTime: 0,
        });
        if (!cancelled && fresh.length > 0) {
          lastId.current = fresh[fresh.length - 1]!.id;
          setRows((prev) => [...prev, ...fresh]);
        }
      } finally {
        if (!cancelled && live) timer = setTimeout(() => void tick(), intervalMs);
      }
    }
    void tick();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [runId, live, intervalMs, queryClient, trpc]);

  return rows;
}
