'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect } from 'react';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '~/components/ui/card';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { useTRPC } from '~/trpc/client';

const waiting = (status: string | undefined) => status === 'PENDING' || status === 'RUNNING';

/**
 * Export: asks the worker to export the run's newest checkpoint (a browser-loadable generator,
 * what the playground loads), then follows the job until it ends.
 */
export function ExportButton({ runId, hasCheckpoint }: { runId: string; hasCheckpoint: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(
    trpc.workerJobs.exportStatus.queryOptions(
      { runId },
      { refetchInterval: (q) => (waiting(q.state.data?.status) ? 1500 : false) },
    ),
  );
  const request = useMutation(
    trpc.workerJobs.requestExport.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({
          queryKey: trpc.workerJobs.exportStatus.queryKey({ runId }),
        });
        // The new EXPORT artifact shows in the run's artifact list once the worker is done.
        void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }) });
      },
    }),
  );
  const busy = request.isPending || waiting(status.data?.status);
  return (
    <Button
      variant="outline"
      // Off until the last job's status is known: a click before then (or before the page is
      // interactive) could not tell a waiting export from none.
      disabled={!hasCheckpoint || busy || status.isPending}
      title={
        hasCheckpoint ? 'Export the newest checkpoint for the playground' : 'No checkpoint yet'
      }
      onClick={() => request.mutate({ runId })}
      data-testid="export-button"
    >
      {busy ? 'Exporting…' : 'Export'}
    </Button>
  );
}

/** What the newest export job did, under the run's header. */
export function ExportStatus({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(
    trpc.workerJobs.exportStatus.queryOptions(
      { runId },
      { refetchInterval: (q) => (waiting(q.state.data?.status) ? 1500 : false) },
    ),
  );
  const job = status.data;
  const done = job?.status === 'SUCCEEDED' ? job.id : null;
  // Once an export finished, the run's artifact list has the new EXPORT: read it again (once).
  useEffect(() => {
    if (done)
      void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }) });
  }, [done, queryClient, trpc, runId]);
  if (!job) return null;
  const step = typeof job.result?.step === 'number' ? job.result.step : null;
  return (
    <Alert
      tone={job.status === 'FAILED' ? 'error' : job.status === 'SUCCEEDED' ? 'success' : 'info'}
      data-testid="export-status"
    >
      {job.status === 'PENDING' ? 'Export requested: waiting for a trainer worker.' : null}
      {job.status === 'RUNNING' ? 'The worker is exporting the newest checkpoint…' : null}
      {job.status === 'FAILED' ? `Export failed: ${job.error ?? 'unknown error'}` : null}
      {job.status === 'SUCCEEDED' ? (
        <>
          Exported step {step}.{' '}
          <Link
            className="text-indigo-600 hover:underline"
            href={`/runs/${runId}/playground${step === null ? '' : `?step=${step}`}`}
          >
            Open it in the playground
          </Link>
        </>
      ) : null}
    </Alert>
  );
}

interface OperatingPoint {
  threshold: number;
  precision: number | null;
  recall: number | null;
  flagged: number;
}
interface ComparisonRow {
  category: string;
  level: string;
  examples: number;
  positives: number;
  before: OperatingPoint;
  after: OperatingPoint;
}

const num = (x: number | null) => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(3));
const threshold = (x: number) => (x > 1 ? 'never' : x.toFixed(3));

/**
 * Admins: "Recalibrate from decisions" runs `feedback` through the worker (thresholds from
 * moderator decisions, the spam model retrained) and shows its before/after table.
 */
export function RecalibrateCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const latest = useQuery(
    trpc.workerJobs.recalibration.queryOptions(undefined, {
      refetchInterval: (q) => (waiting(q.state.data?.status) ? 1500 : false),
    }),
  );
  const request = useMutation(
    trpc.workerJobs.recalibrate.mutationOptions({
      onSuccess: () =>
        void queryClient.invalidateQueries({ queryKey: trpc.workerJobs.recalibration.queryKey() }),
    }),
  );
  const job = latest.data;
  const busy = request.isPending || waiting(job?.status);
  const comparison = (job?.result?.comparison ?? []) as ComparisonRow[];
  return (
    <Card data-testid="recalibrate-card">
      <CardHeader className="flex flex-row items-start justify-between gap-4">
        <div>
          <CardTitle>Policy from moderator decisions</CardTitle>
          <CardDescription>
            Recalibrates each category&apos;s thresholds and retrains the caption spam model from
            the decision log, then makes them the active policy and model (the worker runs it).
          </CardDescription>
        </div>
        <Button
          variant="outline"
          disabled={busy || latest.isPending}
          onClick={() => request.mutate()}
        >
          {busy ? 'Recalibrating…' : 'Recalibrate from decisions'}
        </Button>
      </CardHeader>
      <CardContent className="space-y-3 text-sm">
        {request.error ? <Alert tone="error">{request.error.message}</Alert> : null}
        {job?.status === 'PENDING' ? <p>Waiting for a trainer worker…</p> : null}
        {job?.status === 'FAILED' ? <Alert tone="error">Failed: {job.error}</Alert> : null}
        {job?.status === 'SUCCEEDED' ? (
          <>
            <p className="text-xs text-muted-foreground">
              Ran {new Date(job.finishedAt ?? job.createdAt).toISOString().slice(0, 16)} UTC.
            </p>
            {comparison.length > 0 ? (
              <Table data-testid="recalibration-table">
                <THead>
                  <Tr>
                    <Th>Category</Th>
                    <Th>Level</Th>
                    <Th>Items</Th>
                    <Th>Positives</Th>
                    <Th>Threshold before → after</Th>
                    <Th>Precision before → after</Th>
                    <Th>Recall before → after</Th>
                    <Th>Flagged before → after</Th>
                  </Tr>
                </THead>
                <TBody>
                  {comparison.map((r) => (
                    <Tr key={`${r.category}-${r.level}`}>
                      <Td>{r.category}</Td>
                      <Td>{r.level}</Td>
                      <Td>{r.examples}</Td>
                      <Td>{r.positives}</Td>
                      <Td>
                        {threshold(r.before.threshold)} → {threshold(r.after.threshold)}
                      </Td>
                      <Td>
                        {num(r.before.precision)} → {num(r.after.precision)}
                      </Td>
                      <Td>
                        {num(r.before.recall)} → {num(r.after.recall)}
                      </Td>
                      <Td>
                        {r.before.flagged} → {r.after.flagged}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            ) : null}
            <pre
              className="overflow-x-auto rounded bg-muted p-3 text-xs"
              data-testid="recalibration-report"
            >
              {typeof job.result?.table === 'string' ? job.result.table : ''}
            </pre>
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}
