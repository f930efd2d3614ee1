#!/usr/bin/env node
// `npm run <tool> -- <args>`: runs a project CLI from the repository root with the project's
// environment (./data, the SQLite default), installing and building first when needed, so the
// command works on a fresh clone with only Node.js and npm.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { installDependencies, pnpmCommand, projectEnv, root, run } from './lib.mjs';

const tools = {
  // The trainer records into the database: bring its schema up to date first (a no-op when it is).
  trainer: { pkg: '@ganmod/trainer', bin: 'apps/trainer/dist/cli.js', migrate: true },
  db: { pkg: '@ganmod/db', bin: 'packages/db/dist/bin.js' },
  moderate: { pkg: '@ganmod/moderation', bin: 'packages/moderation/dist/cli/main.js' },
  'bench:train': { pkg: '@ganmod/gan-core', bin: 'packages/gan-core/dist/bench/train.js' },
  'bench:quality': { pkg: '@ganmod/gan-core', bin: 'packages/gan-core/dist/bench/quality.js' },
};

const [name, ...args] = process.argv.slice(2);
const tool = tools[name ?? ''];
if (tool === undefined) {
  process.stderr.write(`usage: node scripts/run.mjs <${Object.keys(tools).join('|')}> [args...]\n`);
  process.exit(2);
}

const env = projectEnv();
const quiet = { env, stdio: ['ignore', 'ignore', 'inherit'] };
try {
  const lock = join(root, 'pnpm-lock.yaml');
  const installed = join(root, 'node_modules/.pnpm/lock.yaml');
  const pnpm = pnpmCommand();
  if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs)
    installDependencies(pnpm);
  const [cmd, ...pre] = pnpm;
  // turbo replays cached builds in a second or two.
  run(
    cmd,
    [
      ...pre,
      'exec',
      'turbo',
      'run',
      'build',
      `--filter=${tool.pkg}...`,
      '--output-logs=errors-only',
    ],
    quiet,
  );
  if (tool.migrate) run(process.execPath, [join(root, tools.db.bin), 'migrate'], quiet);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
const result = await import('node:child_process').then(({ spawnSync }) =>
  spawnSync(process.execPath, [join(root, tool.bin), ...args], { stdio: 'inherit', env }),
);
process.exit(result.status ?? 1);
