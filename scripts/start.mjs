#!/usr/bin/env node
// `npm start`: install, build, migrate and seed the embedded SQLite database, then run the trainer
// worker and the dashboard together until Ctrl-C. Needs only Node.js 20 and npm.
// `npm start -- --demo` (or GANMOD_DEMO=1) also seeds demo accounts, an API key and content.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { installDependencies, pnpmCommand, projectEnv, root, run, start, step } from './lib.mjs';
import { ensureDebianPackages } from './system.mjs';

// These run before anything is built, so @ganmod/config (TypeScript) is not importable yet: its
// defaults for PORT, HOST and the data folder are repeated here and in lib.mjs, and the dashboard
// validates the same variables through it once started.
const port = process.env.PORT ?? '3000';
const host = process.env.HOST ?? '127.0.0.1';
const demo = process.argv.includes('--demo');
const env = projectEnv({
  // The origin the dashboard trusts is the one printed below, never one a request claims.
  BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? `http://${host}:${port}`,
  ...(demo ? { GANMOD_DEMO: '1' } : {}),
});
mkdirSync(env.GANMOD_DATA_DIR, { recursive: true });
// Folder datasets are read only from under this root: create it so a first run has a place to point.
mkdirSync(env.GANMOD_DATASETS_DIR ?? join(env.GANMOD_DATA_DIR, 'datasets'), { recursive: true });
const pnpm = pnpmCommand();
const [pnpmBin, ...pnpmPre] = pnpm;

/** Runs the seed and returns what it created (the admin's password appears only when it was set now). */
function seedDatabase() {
  const result = spawnSync('node', [join(root, 'packages/db/dist/bin.js'), 'seed', '--json'], {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) {
    const err = new Error(`seeding the database failed (exit ${result.status ?? result.signal})`);
    err.exitCode = result.status ?? 1;
    throw err;
  }
  const lines = result.stdout.trim().split('\n');
  for (const line of lines.slice(0, -1)) process.stdout.write(`${line}\n`);
  return JSON.parse(lines.at(-1) ?? '{}');
}

let seeded;
try {
  // OpenBLAS lets gan-core build its native kernels (several times faster training); without it
  // (not root, no apt) training runs on the wasm kernels alone. oneDNN runs the moderation
  // worker's CNNs (the NSFW MobileNetV2) 1.5-2x faster than those kernels.
  const missingNative = ensureDebianPackages(['libopenblas-dev', 'libdnnl-dev']);
  if (missingNative.includes('libopenblas-dev')) {
    process.stdout.write(
      'libopenblas-dev not installed: training will use the wasm kernels only\n',
    );
  }
  if (missingNative.includes('libdnnl-dev')) {
    process.stdout.write('libdnnl-dev not installed: moderation CNNs run on TF.js kernels\n');
  }
  step('Installing dependencies');
  installDependencies(pnpm);
  step('Building packages and apps');
  run(pnpmBin, [...pnpmPre, 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { env });
  step(`Migrating ${env.DATABASE_URL}`);
  run('node', [join(root, 'packages/db/dist/bin.js'), 'migrate'], { env });
  step('Seeding');
  seeded = seedDatabase();
} catch (err) {
  process.stderr.write(`\nstart failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(typeof err?.exitCode === 'number' ? err.exitCode : 1);
}

step('Starting the trainer worker and the dashboard');
const worker = start('node', [join(root, 'apps/trainer/dist/cli.js'), 'worker', '--moderation'], {
  env,
});
const dashboard = start(
  'node',
  [join(root, 'apps/dashboard/dist/server.js'), '--hostname', host, '--port', port],
  { env, cwd: join(root, 'apps/dashboard') },
);
const children = [worker, dashboard];

// Print the way in once the dashboard answers (not before: Next prints its own lines first).
const resetCommand = (email) => `npm run db -- reset-password ${email}`;
function wayIn() {
  const { admin, demoUsers = [], apiKey } = seeded;
  const lines = [`  Dashboard: ${env.BETTER_AUTH_URL}`];
  if (admin.password && !admin.passwordReset) {
    lines.push(`  Sign in:   ${admin.email} / ${admin.password}`);
    lines.push(`             (shown once: keep it; a new one: ${resetCommand(admin.email)})`);
  } else if (admin.passwordReset || env.GANMOD_ADMIN_PASSWORD) {
    lines.push(`  Sign in:   ${admin.email} / (GANMOD_ADMIN_PASSWORD)`);
  } else {
    lines.push(
      `  Sign in:   ${admin.email} (password shown on the first start; forgot it? ${resetCommand(admin.email)})`,
    );
  }
  for (const user of demoUsers.filter((u) => u.password)) {
    lines.push(`  Demo:      ${user.email} / ${user.password}`);
  }
  if (apiKey?.secret) lines.push(`  API key:   ${apiKey.secret} (demo platform, shown once)`);
  lines.push(`  Data:      ${env.GANMOD_DATA_DIR}`, '  Stop:      Ctrl-C');
  return `\n${lines.join('\n')}\n\n`;
}
void (async () => {
  for (let i = 0; i < 120 && dashboard.exitCode === null; i++) {
    try {
      await fetch(`http://${host}:${port}/sign-in`, { signal: AbortSignal.timeout(1000) });
      process.stdout.write(wayIn());
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
})();

let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));
for (const child of children) {
  child.on('exit', (code) => {
    if (!stopping) process.stderr.write(`\na process exited (${code}); stopping the others\n`);
    stopAll(code ?? 1);
  });
}
await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : null)));
