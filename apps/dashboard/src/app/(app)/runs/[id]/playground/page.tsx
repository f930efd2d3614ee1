import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '~/components/page-header';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { runExports } from '~/server/exports';
import { Playground } from './playground';

export const metadata: Metadata = { title: 'Generator playground' };

/**
 * `/runs/[id]/playground?step=N`: the run's exported generator (newest export unless `step`
 * names another), loaded and run in the browser with TF.js.
 */
export default async function PlaygroundPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ step?: string }>;
}) {
  await requireUser(access.engineering);
  const { id } = await params;
  const { step } = await searchParams;
  const db = getDb();
  const run = await db.trainingRun.findUnique({
    where: { id },
    select: { id: true, name: true, config: true, status: true },
  });
  if (!run) notFound();
  const exports = await runExports(db, id);
  const chosen = step === undefined ? exports[0] : exports.find((e) => String(e.step) === step);
  const back = (
    <Button variant="outline" asChild>
      <Link href={`/runs/${id}`}>Back to the run</Link>
    </Button>
  );

  if (!chosen) {
    const checkpoint = await db.artifact.findFirst({
      where: { runId: id, kind: 'CHECKPOINT' },
      orderBy: { step: 'desc' },
      select: { step: true },
    });
    return (
      <div className="space-y-4">
        <PageHeader title={`Playground · ${run.name}`} actions={back} />
        <Alert tone="warning" data-testid="playground-no-export">
          {step !== undefined && exports.length > 0 ? (
            <>
              This run has no export at step {step} (exports:{' '}
              {exports.map((e) => e.step).join(', ')}).
            </>
          ) : (
            <>This run has no exported generator yet.</>
          )}{' '}
          {checkpoint ? (
            <>
              Export its newest checkpoint (step {checkpoint.step}) on a trainer host with{' '}
              <code className="rounded bg-amber-100 px-1">pnpm trainer export {id}</code>, then
              reload this page.
            </>
          ) : (
            <>
              It has no checkpoint to export either: runs export their generator when they finish,
              and checkpoint every <code>checkpointEvery</code> steps.
            </>
          )}
        </Alert>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <PageHeader
        title={`Playground · ${run.name}`}
        description={
          <>
            Generator exported at step {chosen.step}, running in this browser with TensorFlow.js.
            {exports.length > 1 ? (
              <>
                {' '}
                Other exports:{' '}
                {exports
                  .filter((e) => e !== chosen)
                  .map((e, i) => (
                    <span key={e.step}>
                      {i > 0 ? ', ' : ''}
                      <Link
                        className="text-indigo-600 hover:underline"
                        href={`/runs/${id}/playground?step=${e.step}`}
                      >
                        step {e.step}
                      </Link>
                    </span>
                  ))}
              </>
            ) : null}
          </>
        }
        actions={back}
      />
      <Playground
        modelUrl={`/api/runs/${encodeURIComponent(id)}/export/${chosen.step}/model.json`}
        config={run.config}
      />
    </div>
  );
}
