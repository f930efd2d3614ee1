'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { PageHeader } from '~/components/page-header';
import { Alert } from '~/components/ui/alert';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '~/components/ui/card';
import { Field, Input, Select } from '~/components/ui/input';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { utc } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

const statusTone = {
  PENDING: 'amber',
  TRAINING: 'blue',
  READY: 'green',
  FAILED: 'red',
} as const;

/** A number from a model's evaluation JSON, formatted, or a dash. */
function metric(evaluation: unknown, key: string): string {
  const v = (evaluation as Record<string, unknown> | null)?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '—';
}

/** Promote form: a succeeded run and one of its checkpoints. */
function PromoteForm({ onPromoted }: { onPromoted: () => void }) {
  const trpc = useTRPC();
  const candidates = useQuery(trpc.models.candidates.queryOptions());
  const promote = useMutation(trpc.models.promote.mutationOptions({ onSuccess: onPromoted }));
  const [runId, setRunId] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const run = candidates.data?.find((r) => r.id === runId) ?? candidates.data?.[0];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const step = Number(data.get('step'));
    const trainSteps = Number(data.get('trainSteps'));
    if (!run) return;
    setDone(null);
    promote.mutate(
      {
        runId: run.id,
        step,
        ...(Number.isInteger(trainSteps) && trainSteps > 0 ? { trainSteps } : {}),
      },
      {
        onSuccess: (r) =>
          setDone(
            r.outcome === 'REQUESTED'
              ? 'Requested: the worker trains and evaluates the detector, then makes it active.'
              : 'This checkpoint is already being trained; see its status below.',
          ),
      },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Promote a checkpoint to the synthetic-image detector</CardTitle>
        <CardDescription>
          The worker trains a real-vs-generated classifier on the run&apos;s dataset against this
          checkpoint&apos;s generator, evaluates it on held-out images and makes it active.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {candidates.data?.length === 0 ? (
          <p className="text-sm text-muted-foreground">
            No succeeded run with a checkpoint yet. Launch one from Runs.
          </p>
        ) : (
          <form
            onSubmit={onSubmit}
            className="grid items-start gap-3 md:grid-cols-[1fr_10rem_10rem_auto]"
            aria-label="Promote a checkpoint"
          >
            <Field label="Run" htmlFor="promote-run">
              <Select
                id="promote-run"
                name="run"
                value={run?.id ?? ''}
                onChange={(e) => setRunId(e.target.value)}
              >
                {candidates.data?.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name} ({r.id.slice(0, 8)})
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Checkpoint step" htmlFor="promote-step">
              <Select id="promote-step" name="step" key={run?.id}>
                {run?.steps.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Training steps" htmlFor="promote-train-steps" hint="Default 600.">
              <Input
                id="promote-train-steps"
                name="trainSteps"
                type="number"
                min={1}
                max={5000}
                placeholder="600"
              />
            </Field>
            <Button type="submit" className="mt-6" disabled={promote.isPending || !run}>
              Promote
            </Button>
          </form>
        )}
        {promote.error ? (
          <Alert tone="error" className="mt-3">
            {promote.error.message}
          </Alert>
        ) : null}
        {done && !promote.error ? (
          <Alert tone="success" className="mt-3">
            {done}
          </Alert>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** Detector models with request status and evaluation, plus moderation policy versions. */
export function ModelsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const models = useQuery({
    ...trpc.models.list.queryOptions(),
    // Requests move PENDING -> TRAINING -> READY in the worker: follow them while any is open.
    refetchInterval: (q) =>
      q.state.data?.some((m) => m.status === 'PENDING' || m.status === 'TRAINING') ? 3000 : false,
  });
  const policies = useQuery(trpc.models.policies.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() });
  const activate = useMutation(trpc.models.activate.mutationOptions({ onSuccess: refresh }));

  return (
    <div className="space-y-4">
      <PageHeader
        title="Detector models"
        description="Models promoted from training runs into moderation. One active model per kind."
      />
      <PromoteForm onPromoted={() => void refresh()} />
      {activate.error ? <Alert tone="error">{activate.error.message}</Alert> : null}
      <Card>
        <Table data-testid="detector-models">
          <THead>
            <Tr>
              <Th>Name</Th>
              <Th>Kind</Th>
              <Th>Source run</Th>
              <Th>Status</Th>
              <Th className="text-right">AP</Th>
              <Th className="text-right">ROC AUC</Th>
              <Th className="text-right">Precision</Th>
              <Th className="text-right">Recall</Th>
              <Th>Created (UTC)</Th>
              <Th />
            </Tr>
          </THead>
          <TBody>
            {models.data?.map((m) => (
              <Tr key={m.id} data-model-id={m.id}>
                <Td className="font-medium">
                  {m.name}
                  {m.error ? <div className="text-xs text-red-700">{m.error}</div> : null}
                </Td>
                <Td className="text-xs">{m.kind.toLowerCase().replace('_', ' ')}</Td>
                <Td>
                  {m.sourceRun ? (
                    <Link
                      className="text-indigo-600 hover:underline"
                      href={`/runs/${m.sourceRun.id}`}
                    >
                      {m.sourceRun.name}
                    </Link>
                  ) : (
                    '—'
                  )}
                  {m.sourceStep !== null ? (
                    <span className="text-xs text-muted-foreground"> @ {m.sourceStep}</span>
                  ) : null}
                </Td>
                <Td className="space-x-1 whitespace-nowrap">
                  <Badge tone={statusTone[m.status]}>{m.status.toLowerCase()}</Badge>
                  {m.active ? <Badge tone="green">active</Badge> : null}
                </Td>
                <Td className="text-right tabular-nums">
                  {metric(m.evaluation, 'averagePrecision')}
                </Td>
                <Td className="text-right tabular-nums">{metric(m.evaluation, 'rocAuc')}</Td>
                <Td className="text-right tabular-nums">{metric(m.evaluation, 'precision')}</Td>
                <Td className="text-right tabular-nums">{metric(m.evaluation, 'recall')}</Td>
                <Td className="text-xs">{utc(m.createdAt)}</Td>
                <Td>
                  {m.status === 'READY' && !m.active ? (
                    <Button
                      size="sm"
                      variant="outline"
                      disabled={activate.isPending}
                      onClick={() => activate.mutate({ id: m.id })}
                    >
                      Activate
                    </Button>
                  ) : null}
                </Td>
              </Tr>
            ))}
            {models.data?.length === 0 ? (
              <Tr>
                <Td colSpan={10} className="py-8 text-center text-sm text-muted-foreground">
                  No detector models yet.
                </Td>
              </Tr>
            ) : null}
          </TBody>
        </Table>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Moderation policy versions</CardTitle>
          <CardDescription>
            Recalibrated from moderator decisions by <code>ganmod-trainer feedback</code>; the
            worker scores with the active one (the shipped default when none is).
          </CardDescription>
        </CardHeader>
        <Table data-testid="policies">
          <THead>
            <Tr>
              <Th>Version</Th>
              <Th>Spam review / block</Th>
              <Th>Abuse review / block</Th>
              <Th>Explicit review / block</Th>
              <Th>Status</Th>
              <Th>Created (UTC)</Th>
            </Tr>
          </THead>
          <TBody>
            {policies.data?.map((p) => {
              const t = (
                p.config as { thresholds?: Record<string, { review: number; block: number }> }
              ).thresholds;
              const pair = (c: string) =>
                t?.[c]
                  ? `${t[c].review.toFixed(2)} / ${t[c].block > 1 ? 'never' : t[c].block.toFixed(2)}`
                  : '—';
              return (
                <Tr key={p.id}>
                  <Td className="font-mono text-xs">{p.version}</Td>
                  <Td className="tabular-nums">{pair('spam')}</Td>
                  <Td className="tabular-nums">{pair('abuse')}</Td>
                  <Td className="tabular-nums">{pair('explicit')}</Td>
                  <Td>{p.active ? <Badge tone="green">active</Badge> : <Badge>inactive</Badge>}</Td>
                  <Td className="text-xs">{utc(p.createdAt)}</Td>
                </Tr>
              );
            })}
            {policies.data?.length === 0 ? (
              <Tr>
                <Td colSpan={6} className="py-8 text-center text-sm text-muted-foreground">
                  The shipped default policy is in use.
                </Td>
              </Tr>
            ) : null}
          </TBody>
        </Table>
      </Card>
    </div>
  );
}
