'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { ConfirmButton } from '~/components/confirm-button';
import { MetricChart } from '~/components/metric-chart';
import { PageHeader } from '~/components/page-header';
import { Progress } from '~/components/progress';
import { StatusBadge } from '~/components/status-badge';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '~/components/ui/card';
import { SmoothingSlider } from '~/components/smoothing-slider';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { byName, isLoss, isThroughput } from '~/lib/curves';
import { metric, timeAgo, utc } from '~/lib/format';
import { useTRPC } from '~/trpc/client';
import { ExportButton, ExportStatus, RecalibrateCard } from './run-jobs';
import { SampleGrids } from './sample-grids';
import { useRunMetrics } from './use-run-metrics';

const lossLabels: Record<string, string> = {
  d: 'D loss',
  g: 'G loss',
  gp: 'gradient penalty',
  r1: 'R1 penalty',
  loss: 'VAE loss (recon + β·KL)',
  recon: 'reconstruction',
  kl: 'KL',
};

/** Titles of the per-metric charts whose names say little on their own. */
const evalTitles: Record<string, string> = {
  epsilon: 'privacy ε spent (at the config’s δ)',
  elbo: 'ELBO (nats per image, higher is better)',
  'eval/judge_fid': 'FID in MobileNetV2 features (the judge)',
  'eval/judge_kid': 'KID in MobileNetV2 features (the judge)',
  'eval/judge_precision': 'precision in MobileNetV2 features (the judge)',
  'eval/judge_recall': 'recall in MobileNetV2 features (the judge)',
};

/** One run: live loss curves, eval metrics, sample grids, checkpoints, config, logs and controls. */
export function RunView({ id, isAdmin = false }: { id: string; isAdmin?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { id },
      {
        refetchInterval: (q) =>
          q.state.data && ['QUEUED', 'RUNNING'].includes(q.state.data.status) ? 2_000 : false,
      },
    ),
  );
  const live = !run.data || ['QUEUED', 'RUNNING'].includes(run.data.status);
  const rows = useRunMetrics(id, live);
  const [smoothing, setSmoothing] = useState(0.6);
  const [logScale, setLogScale] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.runs.resume.mutationOptions({ onSuccess: refresh }));
  const clone = useMutation(trpc.runs.clone.mutationOptions());

  const series = useMemo(() => byName(rows), [rows]);
  const names = [...series.keys()].sort();
  const losses = names
    .filter(isLoss)
    .map((n) => ({ key: n, label: lossLabels[n] ?? n, points: series.get(n)! }));
  const evals = names.filter((n) => !isLoss(n) && !isThroughput(n));
  const throughput = series.get('steps_per_sec');

  if (run.isError) return <Alert tone="error">{run.error.message}</Alert>;
  const r = run.data;
  if (!r) return <p className="text-sm text-muted-foreground">Loading…</p>;
  const grids = r.artifacts.filter((a) => a.kind === 'SAMPLE_GRID');
  const checkpoints = r.artifacts.filter((a) => a.kind !== 'SAMPLE_GRID');
  const error = cancel.error ?? resume.error ?? clone.error;

  return (
    <div className="space-y-4" data-testid="run-view" data-status={r.status}>
      <PageHeader
        title={r.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <StatusBadge status={r.status} />
            <Progress step={r.step} total={r.totalSteps} />
            <span>
              created {timeAgo(r.createdAt)}
              {r.createdBy ? ` by ${r.createdBy.name}` : ''}
              {r.workerId ? ` · worker ${r.workerId}` : ''}
              {r.heartbeatAt && r.status === 'RUNNING'
                ? ` · heartbeat ${timeAgo(r.heartbeatAt)}`
                : ''}
              {throughput?.length
                ? ` · ${metric(throughput[throughput.length - 1]!.value)} steps/s`
                : ''}
            </span>
            {r.parentRun ? (
              <span>
                · from{' '}
                <Link className="text-indigo-600 hover:underline" href={`/runs/${r.parentRun.id}`}>
                  {r.parentRun.name}
                </Link>
              </span>
            ) : null}
          </span>
        }
        actions={
          <>
            {['QUEUED', 'RUNNING'].includes(r.status) ? (
              <ConfirmButton
                variant="outline"
                disabled={r.cancelRequested || cancel.isPending}
                title={`Cancel ${r.name}?`}
                description={
                  r.status === 'RUNNING'
                    ? `Training stops at its next step and keeps its checkpoints (step ${r.step} so far); Resume continues it later.`
                    : 'The run leaves the queue before it starts; Resume puts it back.'
                }
                confirmLabel="Cancel run"
                onConfirm={() => cancel.mutate({ id })}
              >
                {r.cancelRequested ? 'Stopping…' : 'Cancel'}
              </ConfirmButton>
            ) : null}
            {['FAILED', 'CANCELLED'].includes(r.status) ? (
              <Button
                variant="outline"
                onClick={() => resume.mutate({ id })}
                disabled={resume.isPending}
              >
                Resume
              </Button>
            ) : null}
            <Button
              variant="outline"
              onClick={() =>
                clone.mutate({ id }, { onSuccess: (c) => window.location.assign(`/runs/${c.id}`) })
              }
            >
              Clone
            </Button>
            <Button variant="outline" asChild>
              <Link href={`/runs/new?from=${id}`}>Clone with edits</Link>
            </Button>
            <ExportButton
              runId={id}
              hasCheckpoint={r.artifacts.some((a) => a.kind === 'CHECKPOINT')}
            />
            <Button variant="outline" asChild>
              <Link href={`/runs/${id}/playground`}>Playground</Link>
            </Button>
          </>
        }
      />
      {error ? <Alert tone="error">{error.message}</Alert> : null}
      <ExportStatus runId={id} />
      {r.status === 'FAILED' && r.error ? (
        <Alert tone="error" data-testid="run-error">
          <strong>Failed:</strong> {r.error}
        </Alert>
      ) : null}
      {r.status === 'QUEUED' ? (
        <Alert tone="info">
          Waiting for a trainer worker to claim this run (`pnpm trainer worker`).
        </Alert>
      ) : null}

      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_26rem]">
        <Card>
          <CardHeader className="flex-row items-center justify-between">
            <div>
              <CardTitle>Losses</CardTitle>
              <CardDescription>
                {rows.length} points{live ? ' · live' : ''}
              </CardDescription>
            </div>
            <div className="flex items-center gap-4 text-xs">
              <SmoothingSlider value={smoothing} onChange={setSmoothing} className="w-48" />
              <label className="flex items-center gap-1.5">
                <input
                  type="checkbox"
                  checked={logScale}
                  onChange={(e) => setLogScale(e.target.checked)}
                />{' '}
                Log scale
              </label>
            </div>
          </CardHeader>
          <CardContent>
            <MetricChart series={losses} smoothing={smoothing} logScale={logScale} height={300} />
          </CardContent>
        </Card>
        <SampleGrids grids={grids} />
      </div>

      {evals.length > 0 ? (
        <div className="grid gap-4 md:grid-cols-2">
          {evals.map((n) => (
            <Card key={n}>
              <CardHeader>
                <CardTitle>{evalTitles[n] ?? n}</CardTitle>
                <CardDescription>latest {metric(series.get(n)!.at(-1)?.value)}</CardDescription>
              </CardHeader>
              <CardContent>
                <MetricChart series={[{ key: n, label: n, points: series.get(n)! }]} height={200} />
              </CardContent>
            </Card>
          ))}
        </div>
      ) : null}

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Checkpoints and exports</CardTitle>
          </CardHeader>
          <CardContent>
            {checkpoints.length === 0 ? (
              <p className="text-sm text-muted-foreground">None yet.</p>
            ) : (
              <Table>
                <THead>
                  <Tr>
                    <Th>Kind</Th>
                    <Th>Step</Th>
                    <Th>Size</Th>
                    <Th>Saved (UTC)</Th>
                    <Th />
                  </Tr>
                </THead>
                <TBody>
                  {checkpoints.map((a) => (
                    <Tr key={a.id}>
                      <Td className="text-xs">{a.kind.toLowerCase()}</Td>
                      <Td className="tabular-nums">{a.step}</Td>
                      <Td className="tabular-nums">{(a.bytes / 1024).toFixed(0)} KB</Td>
                      <Td className="text-xs">{utc(a.createdAt)}</Td>
                      <Td className="space-x-3 text-right text-xs">
                        {a.kind === 'EXPORT' ? (
                          <Link
                            className="text-indigo-600 hover:underline"
                            href={`/runs/${id}/playground?step=${a.step}`}
                          >
                            Playground
                          </Link>
                        ) : null}
                        <a
                          className="text-indigo-600 hover:underline"
                          href={`/api/artifacts/${a.id}`}
                          download
                          aria-label={`Download ${a.kind.toLowerCase()} at step ${a.step} (tar)`}
                        >
                          Download
                        </a>
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Config</CardTitle>
          </CardHeader>
          <CardContent>
            <pre
              className="max-h-72 overflow-auto rounded bg-muted p-3 text-xs"
              data-testid="run-config"
            >
              {JSON.stringify(r.config, null, 2)}
            </pre>
          </CardContent>
        </Card>
      </div>

      {r.logs.length > 0 ? (
        <Card>
          <CardHeader>
            <CardTitle>Worker log</CardTitle>
          </CardHeader>
          <CardContent>
            <ol className="max-h-64 space-y-0.5 overflow-auto font-mono text-xs">
              {r.logs.map((l) => (
                <li
                  key={l.id}
                  className={
                    l.level === 'ERROR'
                      ? 'text-red-700'
                      : l.level === 'WARN'
                        ? 'text-amber-700'
                        : undefined
                  }
                >
                  {utc(l.createdAt).slice(11)} {l.level.padEnd(5)} {l.message}
                </li>
              ))}
            </ol>
          </CardContent>
        </Card>
      ) : null}
      {isAdmin ? <RecalibrateCard /> : null}
    </div>
  );
}
