/** Where the CLI keeps its files: `$GANMOD_DATA_DIR`, else `<workspace root>/data`, else `./data`. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The data directory for CLI state (the hash bank JSON file). */
export function dataDir(env: Record<string, string | undefined> = process.env): string {
  if (env.GANMOD_DATA_DIR) return resolve(env.GANMOD_DATA_DIR);
  // pnpm runs package scripts from the package folder: walk up to the workspace root.
  let dir = process.cwd();
  while (dirname(dir) !== dir) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, 'data');
    dir = dirname(dir);
  }
  return resolve('data');
}

/** The CLI's hash bank file (the apps keep the bank in the DB instead). */
export function bankFile(env?: Record<string, string | undefined>): string {
  return join(dataDir(env), 'moderation', 'hash-bank.json');
}
