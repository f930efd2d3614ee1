#!/usr/bin/env node
// `npm test`: the whole suite on a fresh machine. Installs what it needs (npm packages through the
// pinned pnpm, a few Debian packages, PostgreSQL if absent), then the unit, integration and browser
// tests of every package (SQLite and PostgreSQL), with lint and typecheck running beside them.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHOTO_SET_PACKAGES, ensureDebianPackages, ensurePostgres } from './system.mjs';
import { installDependencies, pnpmCommand, projectEnv, root, run, step } from './lib.mjs';
import { findLanes, runLanes } from './test-lanes.mjs';
import { playwrightReportName, readReports, reportName } from './test-reports.mjs';

const pnpm = pnpmCommand();
const [pnpmBin, ...pre] = pnpm;
const env = projectEnv({
  TEST_POSTGRES_URL:
    process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  // Test files and worker processes already run in parallel: one OpenBLAS thread each keeps the
  // native kernels from oversubscribing the cores (their threads spin while waiting).
  OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1',
});
const workspaces = ['packages', 'apps'].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => join(root, dir, name)),
);
const failures = [];

/**
 * Starts a check in the background, its output kept in a file: lint and typecheck are CPU work
 * that fits beside the tests, which mostly wait (on databases, browsers, leases and timers).
 * Returns a function that waits for it, prints its output and records a failure.
 */
function checkBeside(name, cmd, args) {
  const logDir = mkdtempSync(join(tmpdir(), 'ganmod-check-'));
  const logFile = join(logDir, 'output.log');
  const out = openSync(logFile, 'w');
  // Niced below the test lanes: nothing waits on the checks until the tests are done.
  const child = spawn('nice', ['-n', '15', cmd, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise((resolve) => {
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (code, signal) =>
      resolve(code === 0 ? null : `exited with ${code ?? signal}`),
    );
  });
  return async () => {
    const problem = await exited;
    step(`${name} (ran beside the tests)`);
    process.stdout.write(readFileSync(logFile, 'utf8'));
    rmSync(logDir, { recursive: true, force: true });
    if (problem) failures.push(`${name}: '${[cmd, ...args].join(' ')}' ${problem}`);
  };
}

try {
  step('System prerequisites');
  // Real photos of the moderation tests (PHOTO_SET_PACKAGES in system.mjs); their tests skip without.
  const missingPhotos = ensureDebianPackages(PHOTO_SET_PACKAGES);
  if (missingPhotos.length)
    process.stdout.write(`not installed (photo tests will skip): ${missingPhotos.join(' ')}\n`);
  // libopenblas-dev: gan-core's native kernels (packages/gan-core/native) build against it;
  // libdnnl-dev (oneDNN): their CNN inference path (native/cnn.cc), whose tests run where it is.
  const missing = ensureDebianPackages([
    'dataset-fashion-mnist',
    'chromium',
    'libopenblas-dev',
    'libdnnl-dev',
  ]);
  if (missing.length)
    process.stdout.write(`not installed (tests needing them will say so): ${missing.join(' ')}\n`);
  // Where OpenBLAS is present the native kernels must build, and their tests must run.
  if (!missing.includes('libopenblas-dev')) env.GANMOD_REQUIRE_NATIVE = '1';
  await ensurePostgres();
  step('Installing dependencies');
  installDependencies(pnpm);
  step('Building');
  run(pnpmBin, [...pre, 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { env });
} catch (err) {
  process.stderr.write(`\nsetup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.stdout.write('\n0 passed, 1 failed, 0 skipped\n');
  process.exit(1);
}

for (const dir of workspaces) {
  rmSync(join(dir, reportName), { force: true });
  rmSync(join(dir, playwrightReportName), { force: true });
}
const lint = checkBeside('Lint and format', pnpmBin, [...pre, 'run', 'lint']);
const typecheck = checkBeside('Typecheck', pnpmBin, [
  ...pre,
  'exec',
  'turbo',
  'run',
  'typecheck',
  // Without --only turbo would replay the builds it depends on, rewriting dist/ and .next/ from
  // its cache under the running tests.
  '--only',
  // One package at a time: beside the tests, a burst of seven tsc processes starved them.
  '--concurrency=1',
  '--output-logs=errors-only',
]);
step('Tests');
// Every workspace's vitest suite and the dashboard's browser tests, longest first
// (scripts/test-lanes.mjs), one lane more than there are cores: the browser lane mostly waits on
// pages, timers and leases (alone it used 0.54 of a core over its 10.7 minutes), so on 2 cores it
// runs beside two vitest lanes. Each test process is kept to one OpenBLAS thread (above).
// GANMOD_TEST_LANES overrides the count.
const laneCount = Number(process.env.GANMOD_TEST_LANES) || availableParallelism() + 1;
const lanes = await runLanes(findLanes(root), {
  concurrency: laneCount,
  env,
  command: (lane) => [
    pnpmBin,
    ...pre,
    'run',
    lane.script,
    ...(lane.script === 'test'
      ? ['--reporter=default', '--reporter=json', `--outputFile.json=${reportName}`]
      : []),
  ],
});
step(`Test lanes (seconds, ${laneCount} at a time)`);
for (const lane of lanes) {
  process.stdout.write(
    `${lane.seconds.toFixed(0).padStart(6)}  ${lane.name}${lane.code ? `  FAILED (exit ${lane.code})` : ''}\n`,
  );
  if (lane.code) failures.push(`Tests: ${lane.name} exited with ${lane.code}`);
}

await lint();
await typecheck();

const { passed, failed, skipped, failing } = readReports(root, workspaces);
for (const test of failing) process.stderr.write(`FAILED TEST ${test.slice(0, 400)}\n`);
for (const failure of failures) process.stderr.write(`FAILED ${failure}\n`);
// Lint or typecheck failures count as failed checks in the closing line too.
const failedLanes = failures.filter((f) => f.startsWith('Tests')).length;
// A lane that failed without a failing test in any report (a crash, a global setup that threw)
// counts once, or the closing line would read "0 failed" on a red run.
const failedChecks = failed + failures.length - failedLanes + (failed === 0 ? failedLanes : 0);
process.stdout.write(`\n${passed} passed, ${failedChecks} failed, ${skipped} skipped\n`);
process.exit(failures.length > 0 || failed > 0 ? 1 : 0);
