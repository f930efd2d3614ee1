#!/usr/bin/env node
// `npm test`: the whole suite on a fresh machine. Installs what it needs (npm packages through the
// pinned pnpm, a few Debian packages, PostgreSQL if absent), then lint, typecheck, unit and
// integration tests of every package (SQLite and PostgreSQL), and the dashboard's smoke test.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, ensurePostgres } from './system.mjs';
import { installDependencies, pnpmCommand, projectEnv, root, run, step } from './lib.mjs';

const pnpm = pnpmCommand();
const [pnpmBin, ...pre] = pnpm;
const env = projectEnv({
  TEST_POSTGRES_URL:
    process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
});
const workspaces = ['packages', 'apps'].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => join(root, dir, name)),
);
const reportName = 'test-results.json';

function summarize() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const dir of workspaces) {
    const file = join(dir, reportName);
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  }
  return { passed, failed, skipped };
}

let exitCode = 0;
try {
  step('System prerequisites');
  const missing = ensureDebianPackages(['dataset-fashion-mnist', 'chromium']);
  if (missing.length)
    process.stdout.write(`not installed (tests needing them will say so): ${missing.join(' ')}\n`);
  await ensurePostgres();
  step('Installing dependencies');
  installDependencies(pnpm);
  step('Building');
  run(pnpmBin, [...pre, 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { env });
  step('Lint and format');
  run(pnpmBin, [...pre, 'run', 'lint'], { env });
  step('Typecheck');
  run(pnpmBin, [...pre, 'exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'], { env });
  step('Tests');
  for (const dir of workspaces) rmSync(join(dir, reportName), { force: true });
  run(
    pnpmBin,
    [
      ...pre,
      'exec',
      'turbo',
      'run',
      'test',
      '--concurrency=1',
      '--',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportName}`,
    ],
    { env },
  );
} catch (err) {
  process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = typeof err?.exitCode === 'number' && err.exitCode !== 0 ? err.exitCode : 1;
}
const { passed, failed, skipped } = summarize();
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(exitCode !== 0 ? exitCode : failed > 0 ? 1 : 0);
