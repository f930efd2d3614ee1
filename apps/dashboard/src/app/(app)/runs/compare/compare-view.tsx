'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { MetricChart } from '~/components/metric-chart';
import { PageHeader } from '~/components/page-header';
import { StatusBadge } from '~/components/status-badge';
import { Alert } from '~/components/ui/alert';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { SmoothingSlider } from '~/components/smoothing-slider';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { cn } from '~/components/ui/cn';
import { byName } from '~/lib/curves';
import { useTRPC } from '~/trpc/client';

/** Flattens a config into dotted keys for a side-by-side diff. */
function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = JSON.stringify(value);
  return out;
}

/** Two or more runs: every shared metric overlaid, and the config keys where they differ. */
export function CompareView({ ids }: { ids: string[] }) {
  const trpc = useTRPC();
  const [smoothing, setSmoothing] = useState(0.6);
  const [onlyDiff, setOnlyDiff] = useState(true);
  const data = useQuery(
    trpc.runs.compare.queryOptions({ ids }, { enabled: ids.length >= 2, refetchInterval: 5_000 }),
  );
  if (ids.length < 2)
    return <Alert tone="info">Pick two or more runs on the runs page to compare them.</Alert>;
  if (data.isError) return <Alert tone="error">{data.error.message}</Alert>;
  if (!data.data) return <p className="text-sm text-muted-foreground">Loading…</p>;
  const { runs, points } = data.data;
  const perRun = new Map(runs.map((r) => [r.id, byName(points.filter((p) => p.runId === r.id))]));
  const metricNames = [...new Set(points.map((p) => p.name))]
    .filter((n) => n !== 'steps_per_sec')
    .sort();
  const configs = runs.map((r) => flatten(r.config));
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  const differs = (k: string) => new Set(configs.map((c) => c[k])).size > 1;
  return (
    <div className="space-y-4">
      <PageHeader
        title="Compare runs"
        description={runs.map((r) => r.name).join(' vs ')}
        actions={<SmoothingSlider value={smoothing} onChange={setSmoothing} className="w-56" />}
      />
      <div className="grid gap-4 lg:grid-cols-2">
        {metricNames.map((name) => (
          <Card key={name}>
            <CardHeader>
              <CardTitle>{name}</CardTitle>
            </CardHeader>
            <CardContent>
              <MetricChart
                smoothing={smoothing}
                series={runs.map((r) => ({
                  key: r.id,
                  label: r.name,
                  points: perRun.get(r.id)?.get(name) ?? [],
                }))}
              />
            </CardContent>
          </Card>
        ))}
      </div>
      <Card>
        <CardHeader className="flex-row items-center justify-between">
          <CardTitle>Config</CardTitle>
          <label className="flex items-center gap-1.5 text-xs">
            <input
              type="checkbox"
              checked={onlyDiff}
              onChange={(e) => setOnlyDiff(e.target.checked)}
            />{' '}
            Only differences
          </label>
        </CardHeader>
        <CardContent>
          <Table data-testid="config-diff">
            <THead>
              <Tr>
                <Th>Key</Th>
                {runs.map((r) => (
                  <Th key={r.id}>
                    <Link href={`/runs/${r.id}`} className="hover:underline">
                      {r.name}
                    </Link>{' '}
                    <StatusBadge status={r.status} />
                  </Th>
                ))}
              </Tr>
            </THead>
            <TBody>
              {keys
                .filter((k) => !onlyDiff || differs(k))
                .map((k) => (
                  <Tr key={k} className={cn(differs(k) && 'bg-amber-50/60')}>
                    <Td className="font-mono text-xs">{k}</Td>
                    {configs.map((c, i) => (
                      <Td key={runs[i]!.id} className="font-mono text-xs">
                        {c[k] ?? <span className="text-muted-foreground">default</span>}
                      </Td>
                    ))}
                  </Tr>
                ))}
            </TBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
