#!/usr/bin/env node
// `npm start`: install, build, migrate and seed the embedded SQLite database, then run the trainer
// worker and the dashboard together until Ctrl-C. Needs only Node.js 20 and npm.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { installDependencies, pnpmCommand, projectEnv, root, run, start, step } from './lib.mjs';
import { ensureDebianPackages } from './system.mjs';

const port = process.env.PORT ?? '3000';
const host = process.env.HOST ?? '127.0.0.1';
const env = projectEnv();
mkdirSync(env.GANMOD_DATA_DIR, { recursive: true });
const pnpm = pnpmCommand();
const [pnpmBin, ...pnpmPre] = pnpm;

try {
  // OpenBLAS lets gan-core build its native kernels (several times faster training); without it
  // (not root, no apt) training runs on the wasm kernels alone.
  if (ensureDebianPackages(['libopenblas-dev']).length > 0) {
    process.stdout.write(
      'libopenblas-dev not installed: training will use the wasm kernels only\n',
    );
  }
  step('Installing dependencies');
  installDependencies(pnpm);
  step('Building packages and apps');
  run(pnpmBin, [...pnpmPre, 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { env });
  step(`Migrating ${env.DATABASE_URL}`);
  run('node', [join(root, 'packages/db/dist/bin.js'), 'migrate'], { env });
  step('Seeding');
  run('node', [join(root, 'packages/db/dist/bin.js'), 'seed'], { env });
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
const adminEmail = env.GANMOD_ADMIN_EMAIL ?? 'admin@ganmod.local';
const adminPassword = env.GANMOD_ADMIN_PASSWORD ? '(GANMOD_ADMIN_PASSWORD)' : 'ganmod-admin';
void (async () => {
  for (let i = 0; i < 120 && dashboard.exitCode === null; i++) {
    try {
      await fetch(`http://${host}:${port}/sign-in`, { signal: AbortSignal.timeout(1000) });
      process.stdout.write(
        `\n  Dashboard: http://${host}:${port}\n  Sign in:   ${adminEmail} / ${adminPassword}\n  Data:      ${env.GANMOD_DATA_DIR}\n  Stop:      Ctrl-C\n\n`,
      );
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
