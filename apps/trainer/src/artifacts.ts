/**
 * Where run artifacts (sample grids, checkpoints, exports) live. Paths stored in the database are
 * relative to the store's root, so a store can move (or become object storage behind this same
 * small interface) without rewriting rows.
 */
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { writeFileSynced } from '@ganmod/gan-core';

export interface ArtifactStore {
  /** Absolute root directory. */
  readonly root: string;
  /** Writes bytes atomically (temp file + fsync + rename) and returns the stored relative path. */
  write(relPath: string, bytes: Uint8Array): Promise<string>;
  /** Absolute path of a stored relative path; refuses paths that escape the root. */
  resolve(relPath: string): string;
  /** The relative path of an absolute path inside the root. */
  relativize(absPath: string): string;
}

/** An artifact store on the local disk under `root` (default `<GANMOD_DATA_DIR>/artifacts`). */
export function localArtifactStore(root: string): ArtifactStore {
  const base = resolve(root);
  const inside = (abs: string) => abs === base || abs.startsWith(base + sep);
  const store: ArtifactStore = {
    root: base,
    resolve(relPath) {
      const abs = resolve(base, relPath);
      if (!inside(abs)) throw new Error(`artifact path '${relPath}' is outside the artifact store`);
      return abs;
    },
    relativize(absPath) {
      const abs = resolve(absPath);
      if (!inside(abs)) throw new Error(`'${absPath}' is outside the artifact store ${base}`);
      return relative(base, abs).split(sep).join('/');
    },
    async write(relPath, bytes) {
      const abs = store.resolve(relPath);
      await mkdir(dirname(abs), { recursive: true });
      const tmp = `${abs}.tmp-${process.pid}`;
      await writeFileSynced(tmp, bytes);
      await rename(tmp, abs);
      return store.relativize(abs);
    },
  };
  return store;
}

/** The conventional artifact root for a data directory. */
export function artifactRoot(dataDir: string): string {
  return join(dataDir, 'artifacts');
}
