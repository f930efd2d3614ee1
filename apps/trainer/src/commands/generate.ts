import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Db } from '@ganmod/db';
import { loadDataset, parseDatasetSpec, type DatasetSpec } from '@ganmod/datasets';
import {
  computeReference,
  evaluateGenerator,
  evaluationSampler,
  generate,
  gridPng,
  interpolate,
  loadOrTrainFeatureExtractor,
  sample,
  truncatedLatents,
} from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import { openDatabase } from '../database.js';
import { defaultArtifactStore, prepareBackend } from '../environment.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { exportRun, resolveGenerator } from '../training/generator-source.js';
import { createLogger } from '../log.js';
import { print, type OutputOptions } from '../output.js';

function intOption(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(
      `${flag} must be an integer from ${min} to ${max}, got '${value}'`,
      ExitCode.Usage,
    );
  }
  return n;
}

/** `--truncation`: a positive number (the truncation trick's threshold); absent = none. */
function truncationOption(value: string | undefined): number {
  if (value === undefined) return Infinity;
  const t = Number(value);
  if (!Number.isFinite(t) || t <= 0) {
    throw new CliError(`--truncation must be a number > 0, got '${value}'`, ExitCode.Usage);
  }
  return t;
}

async function withBackendAndDb<T>(name: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const log = createLogger(name);
  await prepareBackend(log);
  const db = await openDatabase();
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

export interface SampleFlags extends OutputOptions {
  n: string;
  seed: string;
  label?: string;
  interpolate?: string;
  truncation?: string;
  out?: string;
}

/** `sample <run|dir>`: a grid of n images (optionally one class), or a latent interpolation strip. */
export async function sampleCommand(ref: string, flags: SampleFlags): Promise<void> {
  const n = intOption(flags.n, '--n', 1, 1024) ?? 64;
  const seed = intOption(flags.seed, '--seed', 0, 2 ** 31 - 1) ?? 0;
  const label = intOption(flags.label, '--label', 0, 10_000);
  const steps = intOption(flags.interpolate, '--interpolate', 2, 64);
  const truncation = truncationOption(flags.truncation);
  await withBackendAndDb('sample', async (db) => {
    const source = await resolveGenerator(db, defaultArtifactStore(), ref);
    const { model, metadata } = source.generator;
    if (metadata.numClasses > 0 && label === undefined) {
      throw new CliError(
        `this generator is class-conditional: pass --label 0..${metadata.numClasses - 1}`,
        ExitCode.Usage,
      );
    }
    if (label !== undefined && label >= Math.max(1, metadata.numClasses)) {
      throw new CliError(
        metadata.numClasses === 0
          ? 'this generator is unconditional: --label does not apply'
          : `--label must be from 0 to ${metadata.numClasses - 1}`,
        ExitCode.Usage,
      );
    }
    const images =
      steps === undefined
        ? sample(model, { n, seed, truncation, ...(label === undefined ? {} : { label }) })
        : tf.tidy(() => {
            const ends = truncatedLatents(2, metadata.latentDim, seed, truncation);
            const [a, b] = tf.unstack(ends) as [tf.Tensor1D, tf.Tensor1D];
            const z = interpolate(a, b, steps);
            return generate(
              model,
              z,
              label === undefined ? undefined : Array<number>(steps).fill(label),
            );
          });
    const count = images.shape[0];
    const png = gridPng(images, steps ?? Math.ceil(Math.sqrt(count)));
    images.dispose();
    model.dispose();
    const out = resolve(flags.out ?? `sample-${source.runId ?? 'export'}-${seed}.png`);
    await writeFile(out, png);
    print(
      flags,
      { out, images: count, generator: source.dir },
      () => `wrote ${count} images to ${out}`,
    );
  });
}

export interface EvalFlags extends OutputOptions {
  n: string;
  dataset?: string;
  truncation?: string;
}

/** `eval <run|dir>`: FID, KID, IS, precision/recall (and conditional accuracy) of a generator. */
export async function evalCommand(ref: string, flags: EvalFlags): Promise<void> {
  const n = intOption(flags.n, '--n', 100, 50_000) ?? 2000;
  const truncation = truncationOption(flags.truncation);
  await withBackendAndDb('eval', async (db) => {
    const source = await resolveGenerator(db, defaultArtifactStore(), ref);
    let spec: DatasetSpec;
    if (flags.dataset !== undefined) {
      try {
        spec = parseDatasetSpec({ kind: flags.dataset });
      } catch (err) {
        throw new CliError(`--dataset: ${(err as Error).message}`, ExitCode.Usage);
      }
    } else if (source.config !== undefined) {
      spec = source.config.dataset;
    } else {
      throw new CliError(
        'pass --dataset for an export directory (e.g. --dataset mnist)',
        ExitCode.Usage,
      );
    }
    const { dataset: train } = await loadDataset({ ...spec, split: 'train' });
    const { dataset: test } = await loadDataset({ ...spec, split: 'test' });
    const extractor = await loadOrTrainFeatureExtractor({ train, test });
    const reference = await computeReference(extractor, test, n, 1);
    const { model, metadata } = source.generator;
    const result = await evaluateGenerator({
      extractor,
      reference,
      dataset: test,
      n,
      conditional: metadata.numClasses > 0,
      generate: evaluationSampler(model, 104729, truncation),
    });
    model.dispose();
    const privacy = metadata.privacy as
      { epsilon?: number; delta?: number; mechanism?: string } | undefined;
    const summary = {
      generator: source.dir,
      classifierTestAccuracy: extractor.info.testAccuracy,
      ...(truncation === Infinity ? {} : { truncation }),
      ...result,
      ...(privacy === undefined ? {} : { privacy }),
    };
    print(flags, summary, () =>
      [
        `generator: ${source.dir}`,
        `metric classifier test accuracy: ${(extractor.info.testAccuracy * 100).toFixed(2)}%`,
        `FID ${result.fid.toFixed(3)}  KID ${result.kid.mean.toFixed(4)} ± ${result.kid.std.toFixed(4)}  IS ${result.is.mean.toFixed(3)}`,
        `confidently classified ${(result.confident * 100).toFixed(1)}%` +
          (truncation === Infinity ? '' : `  (latents truncated to ±${truncation})`),
        `precision ${result.precision.toFixed(3)}  recall ${result.recall.toFixed(3)}` +
          (result.conditionalAccuracy === undefined
            ? ''
            : `  conditional accuracy ${result.conditionalAccuracy.toFixed(3)}`),
        `(${result.n} generated vs ${result.referenceSize} real images, ${result.seconds.toFixed(1)} s)`,
        privacy === undefined
          ? 'privacy: none (not trained privately)'
          : `privacy: (ε ${privacy.epsilon?.toFixed(3)}, δ ${privacy.delta})-DP for the training images (${privacy.mechanism === 'dp-merf' ? 'DP-MERF: one noisy mean embedding' : 'DP-SGD on D'})`,
      ].join('\n'),
    );
  });
}

/** `export <run>`: the run's newest checkpoint as a browser-loadable TF.js Layers model. */
export async function exportCommand(
  runId: string,
  flags: OutputOptions & { out?: string },
): Promise<void> {
  await withBackendAndDb('export', async (db) => {
    const { dir, step } = await exportRun(
      db,
      defaultArtifactStore(),
      runId,
      flags.out === undefined ? undefined : resolve(flags.out),
    );
    print(
      flags,
      { runId, step, dir },
      () =>
        `exported the generator of ${runId} at step ${step} to ${dir}\nbrowser: tf.loadLayersModel('<url of>/model.json')`,
    );
  });
}
