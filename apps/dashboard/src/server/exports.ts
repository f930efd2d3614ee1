import 'server-only';
import { readFile } from 'node:fs/promises';
import type { Db } from '@ganmod/db/client';
import { resolveInside } from './files';

/** The file `tf.loadLayersModel` fetches first; it names the weight files next to it. */
export const MODEL_JSON = 'model.json';
/** The named latent directions written beside model.json (gan-core `directionsFile`). */
export const DIRECTIONS_JSON = 'directions.json';

/** Plain file names only: no separators, no `..`, nothing a URL could smuggle a path through. */
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A generator export of a run, as the playground needs to find it. */
export interface RunExport {
  step: number;
  /** Directory relative to the artifact store root. */
  path: string;
}

/** The run's exported generators, newest step first. */
export async function runExports(db: Db, runId: string): Promise<RunExport[]> {
  return db.artifact.findMany({
    where: { runId, kind: 'EXPORT' },
    orderBy: { step: 'desc' },
    select: { step: true, path: true },
  });
}

/** The outcome of looking up one file of an export: the real path, or an HTTP error to answer. */
export type ExportFile =
  { ok: true; path: string; contentType: string } | { ok: false; status: 400 | 404; error: string };

/** The weight files that an export's model.json lists (its `weightsManifest[].paths`). */
function manifestPaths(modelJson: unknown): string[] {
  const manifest = (modelJson as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest)) return [];
  return manifest.flatMap((group: { paths?: unknown }) =>
    Array.isArray(group?.paths) ? group.paths.filter((p) => typeof p === 'string') : [],
  );
}

/**
 * Resolves `file` of the export of run `runId` at `step` inside the artifact store. Only
 * `model.json`, its `directions.json` and the weight files its manifest lists are served, and only when their real path
 * (symlinks followed) stays inside the artifact store.
 */
export async function exportFile(
  db: Db,
  storeRoot: string,
  runId: string,
  stepParam: string,
  file: string,
): Promise<ExportFile> {
  if (!/^\d{1,9}$/.test(stepParam))
    return { ok: false, status: 400, error: `Step must be a whole number, got '${stepParam}'.` };
  if (!SAFE_FILE_NAME.test(file))
    return { ok: false, status: 400, error: `'${file}' is not a file name an export contains.` };
  const artifact = await db.artifact.findUnique({
    where: { runId_kind_step: { runId, kind: 'EXPORT', step: Number(stepParam) } },
    select: { path: true },
  });
  if (!artifact)
    return { ok: false, status: 404, error: `Run has no exported generator at step ${stepParam}.` };
  const modelJsonPath = await resolveInside(storeRoot, `${artifact.path}/${MODEL_JSON}`);
  if (!modelJsonPath)
    return { ok: false, status: 404, error: 'The export has no model.json in the artifact store.' };
  if (file === MODEL_JSON)
    return { ok: true, path: modelJsonPath, contentType: 'application/json' };
  if (file === DIRECTIONS_JSON) {
    const directions = await resolveInside(storeRoot, `${artifact.path}/${DIRECTIONS_JSON}`);
    return directions
      ? { ok: true, path: directions, contentType: 'application/json' }
      : { ok: false, status: 404, error: 'This export has no named latent directions.' };
  }
  let listed: string[];
  try {
    listed = manifestPaths(JSON.parse(await readFile(modelJsonPath, 'utf8')));
  } catch {
    return { ok: false, status: 404, error: 'The export model.json is not valid JSON.' };
  }
  if (!listed.includes(file))
    return { ok: false, status: 404, error: `'${file}' is not a weight file of this export.` };
  const path = await resolveInside(storeRoot, `${artifact.path}/${file}`);
  if (!path) return { ok: false, status: 404, error: `'${file}' is missing from the export.` };
  return { ok: true, path, contentType: 'application/octet-stream' };
}
