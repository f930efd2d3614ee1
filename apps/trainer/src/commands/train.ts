import { readFileSync } from 'node:fs';
import { confineDatasetSpec, DatasetError } from '@ganmod/datasets';
import {
  ConfigError,
  parseTrainConfig,
  trainingPreset,
  type StepEvent,
  type TrainConfig,
} from '@ganmod/gan-core';
import { SingleBar, Presets } from 'cli-progress';
import { openDatabase } from '../database.js';
import { defaultArtifactStore, prepareBackend } from '../environment.js';
import { executeRun } from '../training/executor.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { createLogger } from '../log.js';
import { print, type OutputOptions } from '../output.js';
import { createClaimedRun } from '@ganmod/db';
import { defaultWorkerId } from '../worker.js';
import { flagValue, trainConfigFlags } from './train-flags.js';

/** Flags of `train`: the config-field flags (see train-flags.ts) override `--config`, which overrides `--preset`. */
export interface TrainFlags extends OutputOptions {
  config?: string;
  preset?: string;
  name?: string;
  progress?: boolean;
  /** Config-field flags by commander attribute (`batchSize`, `datasetSeed`); see {@link trainConfigFlags}. */
  [attribute: string]: string | boolean | undefined;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read --config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      ExitCode.Usage,
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new CliError(
      `--config ${path} is not a JSON object: ${(err as Error).message}`,
      ExitCode.Usage,
    );
  }
}

/** The named preset's fields, or nothing without `--preset`. */
function presetFields(name: string | undefined): Record<string, unknown> {
  if (name === undefined) return {};
  try {
    return structuredClone(trainingPreset(name).config);
  } catch (err) {
    throw new CliError((err as Error).message, ExitCode.Usage);
  }
}

/** Sets a config field from its flag; a nested field is set on a copy of its parent object. */
function setField(config: Record<string, unknown>, path: string, value: unknown): void {
  const [head, key] = path.split('.') as [string, string | undefined];
  if (key === undefined) {
    config[head] = value;
    return;
  }
  const parent = config[head];
  config[head] = {
    ...(parent !== null && typeof parent === 'object' ? parent : {}),
    [key]: value,
  };
}

/**
 * Merges `--preset`, `--config` and the field flags (each overriding the one before), then
 * validates once with gan-core's schema (every bad field named). `--dataset` starts a new dataset
 * spec of that kind: fields of the previous one may not apply to it.
 */
export function buildConfig(flags: TrainFlags): TrainConfig {
  const merged: Record<string, unknown> = {
    ...presetFields(flags.preset),
    ...(flags.config ? readConfigFile(flags.config) : {}),
  };
  merged.dataset ??= { kind: 'mnist' };
  const given = trainConfigFlags().filter(({ attribute }) => typeof flags[attribute] === 'string');
  // The kind first: it resets the dataset, and the other dataset flags refine the new one.
  given.sort(
    (a, b) => Number(b.field.path === 'dataset.kind') - Number(a.field.path === 'dataset.kind'),
  );
  for (const { field, attribute } of given) {
    const value = flagValue(field, flags[attribute] as string);
    if (field.path === 'dataset.kind') merged.dataset = { kind: value };
    else setField(merged, field.path, value);
  }
  try {
    return parseTrainConfig(merged);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, ExitCode.Usage);
    throw err;
  }
}

/**
 * The progress bar's loss column: `D … G …` for a GAN, `ELBO … KL …` for a VAE, `MMD …` for a
 * mean-embedding (DP-MERF) run.
 */
function lossSummary(losses: StepEvent['losses']): string {
  const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));
  if (losses.mmd !== undefined) return `MMD ${losses.mmd.toExponential(3)}`;
  return losses.elbo !== undefined
    ? `ELBO ${fmt(losses.elbo)} KL ${fmt(losses.kl)}`
    : `D ${fmt(losses.d)} G ${fmt(losses.g)}`;
}

/** Refuses a dataset path outside the datasets root before the run is created (a usage error). */
async function checkDatasetPath(config: TrainConfig): Promise<void> {
  try {
    await confineDatasetSpec(config.dataset);
  } catch (err) {
    if (err instanceof DatasetError) throw new CliError(err.message, ExitCode.Usage);
    throw err;
  }
}

/** `train`: one run in the foreground, recorded in the database exactly like a worker's. */
export async function trainCommand(flags: TrainFlags): Promise<void> {
  const config = buildConfig(flags); // refused before any work starts
  await checkDatasetPath(config);
  const log = createLogger('train');
  const db = await openDatabase();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const showBar = flags.progress !== false && !flags.json && process.stderr.isTTY;
  const bar = new SingleBar(
    {
      format: ' {bar} {value}/{total} steps | {losses} | {rate} steps/s | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  try {
    await prepareBackend(log);
    const workerId = `cli:${defaultWorkerId()}`;
    const run = await createClaimedRun(
      db,
      {
        name:
          flags.name ??
          `${config.model}-${config.dataset.kind}-${new Date().toISOString().slice(0, 19)}`,
        config,
        totalSteps: config.steps,
      },
      workerId,
    );
    log.info({ runId: run.id }, 'training in the foreground');
    if (showBar) bar.start(config.steps, 0, { losses: '-', rate: '-' });
    const result = await executeRun({
      db,
      store: defaultArtifactStore(),
      run,
      config, // validated above: not parsed again from the stored copy
      workerId,
      log,
      shutdown: stop.signal,
      shutdownStatus: 'CANCELLED',
      onStep: (event) => {
        if (showBar)
          bar.update(event.step, {
            losses: lossSummary(event.losses),
            rate: event.stepsPerSec.toFixed(2),
          });
      },
    });
    if (showBar) bar.stop();
    const artifacts = await db.artifact.findMany({
      where: { runId: run.id },
      orderBy: [{ kind: 'asc' }, { step: 'desc' }],
      select: { kind: true, step: true, path: true },
    });
    const store = defaultArtifactStore();
    const latestGrid = artifacts.find((a) => a.kind === 'SAMPLE_GRID');
    const summary = {
      runId: run.id,
      status: result.status,
      step: result.step,
      ...('error' in result ? { error: result.error } : {}),
      sampleGrid: latestGrid ? store.resolve(latestGrid.path) : null,
      artifacts: artifacts.map((a) => ({ ...a, path: store.resolve(a.path) })),
    };
    print(flags, summary, () =>
      [
        `run ${run.id}: ${result.status} at step ${result.step}${'error' in result ? ` (${result.error})` : ''}`,
        latestGrid
          ? `latest sample grid: ${store.resolve(latestGrid.path)}`
          : 'no sample grid written',
      ].join('\n'),
    );
    if (result.status === 'FAILED' || result.status === 'CANCELLED' || result.status === 'QUEUED') {
      process.exitCode = ExitCode.RunNotCompleted;
    }
  } finally {
    if (showBar) bar.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await db.$disconnect();
  }
}
