import { cancelRun, resumeRun, type Db } from '@ganmod/db';
import { CliError, ExitCode } from '../exit-codes.js';
import { openDatabase } from '../database.js';
import { print, type OutputOptions } from '../output.js';

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

/** A private run's spend as the CLI shows it: its latest ε metric at the config's δ. */
interface PrivacySpent {
  epsilon: number | null;
  delta: number;
  atStep: number | null;
}

function privacyText(spent: PrivacySpent | undefined): string {
  if (spent === undefined) return '';
  return spent.epsilon === null
    ? `private (δ ${spent.delta}, no step yet)`
    : `ε ${spent.epsilon.toFixed(3)} (δ ${spent.delta})`;
}

/** ε spent by each private run of `runs` (the newest `epsilon` metric), keyed by run id. */
async function privacySpent(
  db: Db,
  runs: readonly { id: string; config: unknown }[],
): Promise<Map<string, PrivacySpent>> {
  const spent = new Map<string, PrivacySpent>();
  for (const run of runs) {
    const delta = (run.config as { privacy?: { delta?: unknown } } | null)?.privacy?.delta;
    if (typeof delta !== 'number') continue;
    const latest = await db.runMetric.findFirst({
      where: { runId: run.id, name: 'epsilon' },
      orderBy: { step: 'desc' },
      select: { step: true, value: true },
    });
    spent.set(run.id, { epsilon: latest?.value ?? null, delta, atStep: latest?.step ?? null });
  }
  return spent;
}

/** `runs`: the newest runs with their status and progress, and private runs' ε. */
export async function listRunsCommand(options: OutputOptions & { limit: string; status?: string }) {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new CliError(
      `--limit must be an integer from 1 to 1000, got '${options.limit}'`,
      ExitCode.Usage,
    );
  }
  const statuses = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
  const status = options.status?.toUpperCase();
  if (status !== undefined && !statuses.includes(status as (typeof statuses)[number])) {
    throw new CliError(
      `--status must be one of ${statuses.join(', ')}, got '${options.status}'`,
      ExitCode.Usage,
    );
  }
  const runs = await withDb((db) =>
    db.trainingRun.findMany({
      where: status ? { status: status as (typeof statuses)[number] } : {},
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: {
        id: true,
        name: true,
        status: true,
        step: true,
        totalSteps: true,
        workerId: true,
        error: true,
        createdAt: true,
        config: true,
      },
    }),
  );
  const privacy = await withDb((db) => privacySpent(db, runs));
  const listed = runs.map(({ config: _config, ...r }) => {
    const spent = privacy.get(r.id);
    return spent === undefined ? r : { ...r, privacy: spent };
  });
  print(options, listed, () =>
    runs.length === 0
      ? 'no runs'
      : runs
          .map((r) =>
            [
              r.id,
              r.status.padEnd(9),
              `${r.step}/${r.totalSteps}`.padStart(11),
              r.name,
              privacyText(privacy.get(r.id)),
              r.error ? `— ${r.error}` : '',
            ]
              .join('  ')
              .trimEnd(),
          )
          .join('\n'),
  );
}

/**
 * `cancel <id>`: a queued run is cancelled at once; a running one is flagged and its worker stops
 * within one step.
 */
export async function cancelRunCommand(id: string, options: OutputOptions) {
  const result = await withDb((db) => cancelRun(db, id));
  if (result.outcome === 'NOT_FOUND')
    throw new CliError(`no run with id '${id}'`, ExitCode.NotFound);
  if (result.outcome === 'ALREADY_ENDED') {
    throw new CliError(
      `run '${id}' is already ${result.status}; nothing to cancel`,
      ExitCode.Usage,
    );
  }
  print(options, { id, status: result.outcome }, () =>
    result.outcome === 'CANCELLED'
      ? `cancelled ${id}`
      : `cancel requested for ${id}; its worker stops within one step`,
  );
}

/** `resume <id>`: puts a cancelled or failed run back in the queue; it continues from its last checkpoint. */
export async function resumeRunCommand(id: string, options: OutputOptions) {
  const result = await withDb((db) => resumeRun(db, id));
  if (result.outcome === 'NOT_FOUND')
    throw new CliError(`no run with id '${id}'`, ExitCode.NotFound);
  if (result.outcome === 'NOT_RESUMABLE') {
    throw new CliError(
      `run '${id}' is ${result.status}; only CANCELLED or FAILED runs can be resumed`,
      ExitCode.Usage,
    );
  }
  print(
    options,
    { id, status: 'QUEUED' },
    () => `re-queued ${id}; a worker resumes it from its last checkpoint`,
  );
}
