import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { LaunchForm } from './launch-form';
import { defaultPresetName, presetConfig } from './launch-presets';

export const metadata: Metadata = { title: 'Launch a run' };

/**
 * `?from=<runId>` pre-fills the form with that run's config (clone with edits); a new run starts
 * from the default named preset.
 */
export default async function NewRunPage({
  searchParams,
}: {
  searchParams: Promise<{ from?: string }>;
}) {
  await requireUser(access.engineering);
  const { from } = await searchParams;
  const source = from
    ? await getDb().trainingRun.findUnique({
        where: { id: from },
        select: { id: true, name: true, config: true },
      })
    : null;
  return (
    <LaunchForm
      initialName={source ? `${source.name} (clone)` : ''}
      initialConfig={
        (source?.config as Record<string, unknown> | undefined) ?? presetConfig(defaultPresetName)
      }
      initialPreset={source ? undefined : defaultPresetName}
      parentId={source?.id}
    />
  );
}
