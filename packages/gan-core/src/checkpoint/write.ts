/**
 * Atomic checkpoint writing: every file goes into `<dir>.tmp-<pid>`, is fsynced, and the directory
 * is renamed into place, so a crash leaves either the previous checkpoint or the complete new one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import {
  checkpointDirName,
  checkpointFormat,
  checkpointVersion,
  groupFiles,
  manifestFile,
  privacyKeyFile,
  releaseFile,
  weightGroups,
  type CheckpointData,
  type CheckpointManifest,
  type GroupEntry,
} from './format.js';
import { syncDir, writeFileSynced } from './synced-write.js';

function concatFloat32(arrays: readonly Float32Array[]): Uint8Array {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  // Float32Array uses the platform's byte order; every supported platform is little-endian.
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Writes `data` as `<root>/step-<step>/` and returns that directory. An existing checkpoint for the
 * same step is replaced only once the new one is complete.
 */
export async function writeCheckpoint(root: string, data: CheckpointData): Promise<string> {
  await mkdir(root, { recursive: true });
  const finalDir = join(root, checkpointDirName(data.step));
  const tmpDir = `${finalDir}.tmp-${process.pid}`;
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir);

  const groups = {} as Record<(typeof weightGroups)[number], GroupEntry>;
  for (const group of weightGroups) {
    const { tensors, iterations } = data.groups[group];
    const bytes = concatFloat32(tensors.map((t) => t.values));
    await writeFileSynced(join(tmpDir, groupFiles[group]), bytes);
    groups[group] = {
      file: groupFiles[group],
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      tensors: tensors.map((t) => ({ name: t.name, shape: t.shape })),
      ...(iterations === undefined ? {} : { iterations }),
    };
  }
  const manifest: CheckpointManifest = {
    format: checkpointFormat,
    version: checkpointVersion,
    step: data.step,
    createdAt: new Date().toISOString(),
    config: data.config,
    imageShape: data.imageShape,
    numClasses: data.numClasses,
    rng: data.rng,
    groups,
    ...(data.privacy === undefined ? {} : { privacy: data.privacy }),
  };
  if (data.release !== undefined) {
    if (manifest.privacy === undefined)
      throw new Error('a checkpoint with a released embedding needs its privacy record');
    const bytes = new Uint8Array(
      data.release.buffer,
      data.release.byteOffset,
      data.release.byteLength,
    );
    await writeFileSynced(join(tmpDir, releaseFile), bytes);
    manifest.privacy = {
      ...manifest.privacy,
      release: {
        file: releaseFile,
        length: data.release.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    };
  }
  if (data.privacyKey !== undefined) {
    if (manifest.privacy === undefined)
      throw new Error('a checkpoint with a privacy key needs its privacy record');
    await writeFileSynced(join(tmpDir, privacyKeyFile), data.privacyKey);
    manifest.privacy = {
      ...manifest.privacy,
      key: {
        file: privacyKeyFile,
        sha256: createHash('sha256').update(data.privacyKey).digest('hex'),
      },
    };
  }
  await writeFileSynced(
    join(tmpDir, manifestFile),
    new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
  );
  await syncDir(tmpDir);

  const oldDir = `${finalDir}.old-${process.pid}`;
  let replaced = false;
  try {
    await rename(finalDir, oldDir);
    replaced = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(tmpDir, finalDir);
  await syncDir(root);
  if (replaced) await rm(oldDir, { recursive: true, force: true });
  return finalDir;
}

/** Step of a checkpoint directory name, or null for anything else (temporary dirs included). */
export function stepOfDirName(name: string): number | null {
  const match = /^step-(\d+)$/.exec(name);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Checkpoint directories under `root`, newest first. */
export async function listCheckpoints(root: string): Promise<{ step: number; dir: string }[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((name) => ({ step: stepOfDirName(name), dir: join(root, name) }))
    .filter((c): c is { step: number; dir: string } => c.step !== null)
    .sort((a, b) => b.step - a.step);
}

/**
 * Deletes all but the newest `keep` checkpoints under `root`. Temporary `.tmp-<pid>` directories of
 * interrupted writes are not checkpoints (never listed or loaded); a later write by the same pid
 * replaces its own.
 */
export async function pruneCheckpoints(root: string, keep: number): Promise<void> {
  const all = await listCheckpoints(root);
  for (const { dir } of all.slice(keep)) await rm(dir, { recursive: true, force: true });
}
