#!/usr/bin/env node
// `pnpm test`: vitest (arguments forwarded, e.g. reporters from the root test script), then the
// Playwright browser tests in Debian Chromium. Playwright specs live in e2e/ and vitest excludes them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;

const vitest = run('vitest', ['run', ...process.argv.slice(2)]);
if (vitest !== 0) process.exit(vitest);

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  // A missing browser is reported loudly, not silently passed: CI installs it (scripts/system.mjs).
  process.stderr.write(
    `Chromium not found at ${chromium}: browser tests NOT run. apt-get install -y chromium\n`,
  );
  process.exit(process.env.CI ? 1 : 0);
}
process.exit(run('playwright', ['test']));
