// Shared helpers for the root scripts (start, test): find or fetch pnpm, run commands, set the environment.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PNPM_VERSION = '10.34.9';

/** The command that runs the project's pinned pnpm: a matching global one, else through npx. */
export function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
}

/** The environment every project process runs with: embedded SQLite under ./data unless told otherwise. */
export function projectEnv(extra = {}) {
  const dataDir = process.env.GANMOD_DATA_DIR ?? join(root, 'data');
  return {
    ...process.env,
    GANMOD_DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(dataDir, 'ganmod.db')}`,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NEXT_TELEMETRY_DISABLED: '1',
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    ...extra,
  };
}

/** Runs a command to completion with inherited output; throws with the command line when it fails. */
export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const err = new Error(
      `'${[cmd, ...args].join(' ')}' exited with ${result.status ?? result.signal}`,
    );
    err.exitCode = result.status ?? 1;
    throw err;
  }
  return result;
}

/** Starts a long-running child with inherited output. */
export function start(cmd, args, options = {}) {
  return spawn(cmd, args, { stdio: 'inherit', cwd: root, ...options });
}

/** Installs dependencies exactly as locked (fast when node_modules is already in place). */
export function installDependencies(pnpm) {
  const [cmd, ...pre] = pnpm;
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  run(cmd, [...pre, 'install', ...frozen, '--reporter=append-only'], { env: projectEnv() });
}

export function step(message) {
  process.stdout.write(`\n▶ ${message}\n`);
}
