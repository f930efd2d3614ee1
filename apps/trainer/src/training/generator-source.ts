/**
 * Finds the generator a command should use: an export directory given by path, or a run's newest
 * export, exporting its newest checkpoint first when the run has none yet.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Db } from '@ganmod/db';
import {
  checkpointDirName,
  latestCheckpoint,
  loadGenerator,
  parseTrainConfig,
  stepOfDirName,
  type LoadedGenerator,
  type TrainConfig,
} from '@ganmod/gan-core';
import type { ArtifactStore } from '../artifacts.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { exportCheckpointGenerator } from './generator-export.js';

export interface GeneratorSource {
  generator: LoadedGenerator;
  /** The export directory it was loaded from. */
  dir: string;
  runId?: string;
  config?: TrainConfig;
}

/** Exports a run's newest checkpoint (recorded as an EXPORT artifact) and returns the directory. */
export async function exportRun(
  db: Db,
  store: ArtifactStore,
  runId: string,
  outDir?: string,
): Promise<{ dir: string; step: number }> {
  const run = await db.trainingRun.findUnique({
    where: { id: runId },
    select: { id: true, config: true },
  });
  if (!run) throw new CliError(`no run with id '${runId}'`, ExitCode.NotFound);
  return exportNewestCheckpoint(db, store, runId, parseTrainConfig(run.config), outDir);
}

/** {@link exportRun} for a run whose config is already parsed. */
async function exportNewestCheckpoint(
  db: Db,
  store: ArtifactStore,
  runId: string,
  config: TrainConfig,
  outDir?: string,
): Promise<{ dir: string; step: number }> {
  const checkpoint = await latestCheckpoint(store.resolve(`runs/${runId}/checkpoints`));
  if (checkpoint === null)
    throw new CliError(`run '${runId}' has no checkpoint yet`, ExitCode.NotFound);
  const step = stepOfDirName(basename(checkpoint)) ?? 0;
  const rel = `runs/${runId}/export/${checkpointDirName(step)}`;
  const dir = outDir ?? store.resolve(rel);
  await exportCheckpointGenerator(checkpoint, dir, { runId, step, model: config.model });
  if (outDir === undefined) {
    await db.artifact.upsert({
      where: { runId_kind_step: { runId, kind: 'EXPORT', step } },
      create: { runId, kind: 'EXPORT', step, path: rel, bytes: 0 },
      update: { path: rel },
    });
  }
  return { dir, step };
}

/** Resolves `ref` (an export directory, or a run id) to a loaded generator. */
export async function resolveGenerator(
  db: Db,
  store: ArtifactStore,
  ref: string,
): Promise<GeneratorSource> {
  if (existsSync(join(ref, 'model.json'))) return { generator: await loadGenerator(ref), dir: ref };
  const run = await db.trainingRun.findUnique({
    where: { id: ref },
    select: { id: true, config: true },
  });
  if (!run)
    throw new CliError(
      `'${ref}' is neither an export directory (with model.json) nor a run id`,
      ExitCode.NotFound,
    );
  const config = parseTrainConfig(run.config);
  const newest = await db.artifact.findFirst({
    where: { runId: run.id, kind: 'EXPORT' },
    orderBy: { step: 'desc' },
  });
  const newestCheckpoint = await db.artifact.findFirst({
    where: { runId: run.id, kind: 'CHECKPOINT' },
    orderBy: { step: 'desc' },
  });
  let dir: string;
  if (
    newest !== null &&
    (newestCheckpoint === null || newest.step >= newestCheckpoint.step) &&
    existsSync(store.resolve(newest.path))
  ) {
    dir = store.resolve(newest.path);
  } else {
    dir = (await exportNewestCheckpoint(db, store, run.id, config)).dir;
  }
  return { generator: await loadGenerator(dir), dir, runId: run.id, config };
}
