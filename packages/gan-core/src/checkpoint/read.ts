/** Reading and verifying checkpoints: every weights file must match the manifest's size and sha256. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { requestedClusters, type TrainConfig } from '../config.js';
import {
  type CheckpointPrivacy,
  checkpointFormat,
  checkpointVersion,
  CheckpointError,
  manifestFile,
  weightGroups,
  type CheckpointData,
  type CheckpointManifest,
  type StoredTensor,
} from './format.js';
import { listCheckpoints } from './write.js';

/**
 * Config fields that shape the training trajectory: resuming with any of them changed would not
 * continue the same run. Schedule fields (steps, sampleEvery, checkpointEvery, ...) may change.
 */
export const trajectoryFields = [
  'dataset',
  'model',
  'clusters',
  'latentDim',
  'generatorWidth',
  'discriminatorWidth',
  'beta',
  'loss',
  'labelSmoothing',
  'gpWeight',
  'r1Gamma',
  'diffAugment',
  'batchSize',
  'dSteps',
  'lrG',
  'lrD',
  'beta1',
  'beta2',
  'emaDecay',
  'seed',
  'privacy',
] as const satisfies readonly (keyof TrainConfig)[];

/**
 * Trajectory fields added after checkpoints were first written, with the value older runs trained
 * with: a manifest without the field is compared as if it held that value.
 */
const addedFieldDefaults: Partial<TrainConfig> = { beta: 1 };

/**
 * Names of the trajectory fields that differ between a checkpoint's config and the run resuming it.
 * `clusters` is compared as what it resolves to: `train()` records it in every dcgan checkpoint, so a
 * saved dcgan config without it predates self-conditioning (0), while the resuming run's omitted
 * field means the default.
 */
export function configMismatches(saved: TrainConfig, current: TrainConfig): string[] {
  const value = (
    config: TrainConfig,
    f: (typeof trajectoryFields)[number],
    side: 'saved' | 'current',
  ): string =>
    JSON.stringify(
      f !== 'clusters'
        ? (config[f] ?? addedFieldDefaults[f])
        : side === 'saved'
          ? (config.clusters ?? 0)
          : requestedClusters(config),
    );
  return trajectoryFields.filter((f) => value(saved, f, 'saved') !== value(current, f, 'current'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseManifest(text: string, dir: string): CheckpointManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`${manifestFile} is not valid JSON (${(err as Error).message})`, dir);
  }
  if (!isObject(raw) || raw['format'] !== checkpointFormat) {
    throw new CheckpointError(`${manifestFile} is not a ${checkpointFormat} manifest`, dir);
  }
  if (raw['version'] !== checkpointVersion) {
    throw new CheckpointError(`unsupported checkpoint version ${String(raw['version'])}`, dir);
  }
  const groups = raw['groups'];
  const shape = raw['imageShape'];
  if (
    !Number.isInteger(raw['step']) ||
    !isObject(raw['config']) ||
    !isObject(raw['rng']) ||
    !isObject(groups) ||
    !Array.isArray(shape) ||
    (shape.length !== 3 && shape.length !== 1) ||
    !Number.isInteger(raw['numClasses'])
  ) {
    throw new CheckpointError(
      `${manifestFile} lacks step, config, imageShape, numClasses, rng or groups`,
      dir,
    );
  }
  for (const group of weightGroups) {
    const entry = groups[group];
    if (!isObject(entry) || typeof entry['file'] !== 'string' || !Array.isArray(entry['tensors'])) {
      throw new CheckpointError(`${manifestFile} has no valid entry for ${group}`, dir);
    }
  }
  return raw as unknown as CheckpointManifest;
}

/**
 * Reads and verifies the checkpoint in `dir`. With `expectedConfig`, also refuses a checkpoint
 * whose trajectory fields differ.
 * @throws CheckpointError naming the missing, corrupted or mismatched part.
 */
export async function readCheckpoint(
  dir: string,
  expectedConfig?: TrainConfig,
): Promise<CheckpointData> {
  let text: string;
  try {
    text = await readFile(join(dir, manifestFile), 'utf8');
  } catch (err) {
    throw new CheckpointError(
      `cannot read ${manifestFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      dir,
    );
  }
  const manifest = parseManifest(text, dir);
  if (expectedConfig !== undefined) {
    const mismatched = configMismatches(manifest.config, expectedConfig);
    if (mismatched.length > 0) {
      throw new CheckpointError(
        `was written with a different config: ${mismatched.join(', ')} differ from the run being resumed` +
          (mismatched.includes('clusters')
            ? ` (it trained on ${manifest.config.clusters ?? 0} clusters: resume with clusters: ${manifest.config.clusters ?? 0})`
            : ''),
        dir,
      );
    }
  }
  const groups = {} as CheckpointData['groups'];
  for (const group of weightGroups) {
    const entry = manifest.groups[group];
    const bytes = await readNamedFile(dir, entry.file);
    if (bytes.byteLength !== entry.bytes) {
      throw new CheckpointError(
        `${entry.file} is ${bytes.byteLength} bytes, the manifest says ${entry.bytes} (truncated or replaced)`,
        dir,
      );
    }
    if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
      throw new CheckpointError(
        `${entry.file} does not match its sha256 in the manifest (corrupted)`,
        dir,
      );
    }
    const floats = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    const tensors: StoredTensor[] = [];
    let offset = 0;
    for (const spec of entry.tensors) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      tensors.push({
        name: spec.name,
        shape: spec.shape,
        values: floats.subarray(offset, offset + count),
      });
      offset += count;
    }
    if (offset !== floats.length) {
      throw new CheckpointError(
        `${entry.file} holds ${floats.length} values, its tensors need ${offset}`,
        dir,
      );
    }
    groups[group] = {
      tensors,
      ...(entry.iterations === undefined ? {} : { iterations: entry.iterations }),
    };
  }
  const release = await readRelease(manifest.privacy, dir);
  const privacyKey = await readPrivacyKey(manifest.privacy, dir);
  return {
    step: manifest.step,
    config: manifest.config,
    imageShape: manifest.imageShape,
    numClasses: manifest.numClasses,
    rng: manifest.rng,
    groups,
    ...(manifest.privacy === undefined ? {} : { privacy: manifest.privacy }),
    ...(release === null ? {} : { release }),
    ...(privacyKey === null ? {} : { privacyKey }),
  };
}

/** A file the manifest names; a CheckpointError names it when it cannot be read. */
async function readNamedFile(dir: string, file: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, file));
  } catch (err) {
    throw new CheckpointError(
      `missing ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      dir,
    );
  }
}

/** A file the manifest names beside it, read and checked against its sha256. */
async function readSideFile(entry: { file: string; sha256: string }, dir: string): Promise<Buffer> {
  const bytes = await readNamedFile(dir, entry.file);
  if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256)
    throw new CheckpointError(`${entry.file} does not match its sha256 in the manifest`, dir);
  return bytes;
}

/** A DP-SGD checkpoint's secret key, verified against the manifest; null if none. */
async function readPrivacyKey(
  privacy: CheckpointPrivacy | undefined,
  dir: string,
): Promise<Uint8Array | null> {
  const entry = privacy?.key;
  return entry === undefined ? null : new Uint8Array(await readSideFile(entry, dir));
}

/** A mean-embedding checkpoint's released vector, verified against the manifest; null if none. */
async function readRelease(
  privacy: CheckpointPrivacy | undefined,
  dir: string,
): Promise<Float64Array | null> {
  const entry = privacy?.release;
  if (entry === undefined) return null;
  const bytes = await readSideFile(entry, dir);
  if (bytes.byteLength !== entry.length * 8)
    throw new CheckpointError(
      `${entry.file} is ${bytes.byteLength} bytes, the manifest says ${entry.length} float64 values`,
      dir,
    );
  return new Float64Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

/**
 * The privacy record of the checkpoint in `dir` (its manifest only, weights unread), or null for
 * a non-private run. Exports copy it into their metadata.
 * @throws CheckpointError when the manifest is missing or malformed.
 */
export async function readCheckpointPrivacy(dir: string): Promise<CheckpointPrivacy | null> {
  const text = await readFile(join(dir, manifestFile), 'utf8').catch((err: unknown) => {
    throw new CheckpointError(`${manifestFile} is unreadable (${(err as Error).message})`, dir);
  });
  return parseManifest(text, dir).privacy ?? null;
}

/** The newest checkpoint directory under `root`, or null when there is none. */
export async function latestCheckpoint(root: string): Promise<string | null> {
  const [newest] = await listCheckpoints(root);
  return newest?.dir ?? null;
}
