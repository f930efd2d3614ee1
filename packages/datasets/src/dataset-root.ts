/**
 * The datasets root: the one server folder whose sub-folders a run config may name as a dataset
 * `path`. Whoever can launch a run controls that path, and the trainer runs with the server's
 * permissions, so a path outside the root is refused before anything reads it, and the refusal
 * says nothing about what is (or is not) there. No TensorFlow.js here: the dashboard's server
 * imports this through `@ganmod/datasets/root`.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { loadEnvironment } from '@ganmod/config';
import { DatasetError } from './errors.js';

export { DatasetError };

type Env = Record<string, string | undefined>;

// Paths here are runtime data, not code: the `turbopackIgnore` comments keep the dashboard's
// bundler (which bundles this module) from tracing the whole project for them.

/** The folders that decide where a dataset may live. */
export interface DatasetRoots {
  /** `GANMOD_DATASETS_DIR`, else `<GANMOD_DATA_DIR or ./data>/datasets`; absolute. */
  root: string;
  /** `<GANMOD_DATA_DIR or ./data>/uploads`: submitted images, never a dataset. */
  uploads: string;
}

/** The datasets root and the uploads folder for `env` (absolute, not yet resolved through links). */
export function datasetRoots(env: Env = process.env): DatasetRoots {
  const { datasetsDir, uploadsDir } = loadEnvironment(env);
  return { root: datasetsDir, uploads: uploadsDir };
}

/** True when `path` is `dir` or inside it (both absolute and normalised). */
function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** `realpath`, or undefined when the path does not exist (or cannot be resolved). */
async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(/*turbopackIgnore: true*/ path);
  } catch {
    return undefined;
  }
}

/**
 * Resolves a dataset `path` from a run config to the real folder it names, refusing anything
 * outside the datasets root. Relative paths are taken relative to the root; `..` and symbolic
 * links are resolved (realpath) before the check, so neither can lead out of it. The uploads
 * folder is refused too, whether the dataset is the uploads folder, inside it, or contains it.
 *
 * Messages name the root and repeat the caller's own `path`, never anything found outside the
 * root: a path outside it is refused the same way whether it exists or not.
 *
 * @returns the real absolute path, to hand to the loader.
 * @throws DatasetError (field `path`) when the path is outside the root, is or holds the uploads
 *   folder, or does not exist inside the root; or when the root itself does not exist.
 */
export async function resolveDatasetPath(path: string, env: Env = process.env): Promise<string> {
  const { root, uploads } = datasetRoots(env);
  const outside = new DatasetError(
    `path: '${path}' is outside the datasets root ${root}; datasets must be folders under it ` +
      '(set GANMOD_DATASETS_DIR to change the root)',
    { field: 'path' },
  );
  const wanted = resolve(/*turbopackIgnore: true*/ root, path);
  // Refused before touching the disk when it is outside even before links are resolved.
  if (!within(wanted, root)) throw outside;
  const realRoot = await realpathOrUndefined(root);
  if (realRoot === undefined) {
    throw new DatasetError(
      `path: the datasets root ${root} does not exist; create it and put dataset folders in it ` +
        '(or set GANMOD_DATASETS_DIR)',
      { field: 'path' },
    );
  }
  const real = await realpathOrUndefined(wanted);
  if (real === undefined) {
    throw new DatasetError(`path: '${path}' does not exist under the datasets root ${root}`, {
      field: 'path',
    });
  }
  if (!within(real, realRoot)) throw outside;
  const realUploads = (await realpathOrUndefined(uploads)) ?? uploads;
  if (within(real, realUploads) || within(realUploads, real)) {
    throw new DatasetError(
      `path: '${path}' is or holds the uploads folder (submitted images), which is never a dataset`,
      { field: 'path' },
    );
  }
  return real;
}

/**
 * Returns `spec` with its `path` (a folder dataset's, or an explicit IDX folder's) resolved by
 * {@link resolveDatasetPath}; a spec without a path is returned as it is.
 * @throws DatasetError as {@link resolveDatasetPath} does.
 */
export async function confineDatasetSpec<T extends { kind: string; path?: string | undefined }>(
  spec: T,
  env: Env = process.env,
): Promise<T> {
  if (spec.path === undefined) return spec;
  const path = await resolveDatasetPath(spec.path, env);
  return { ...spec, path };
}
