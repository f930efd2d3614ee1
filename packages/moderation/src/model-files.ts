/**
 * Where generated model files live: `<package>/dist/models/`, written at build time by
 * `dist/scripts/prepare-models.js`. Found from this module's own location, so the same lookup works
 * from `src/` (tests) and `dist/` (runtime).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding this package's package.json). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json of @ganmod/moderation not found');
    dir = parent;
  }
  return dir;
}

/** Folder of prepared models. */
export function modelsDir(): string {
  return join(packageRoot(), 'dist', 'models');
}
