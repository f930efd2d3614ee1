#!/usr/bin/env node
// `pnpm test:e2e [playwright args]`: the Playwright browser tests (e2e/) in Debian Chromium. The
// vitest suite (`pnpm test`) is its own lane, so the two run side by side in `npm test`.
// Vitest reporter arguments (`--reporter`, `--outputFile`) are dropped, should a caller pass them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  // A missing browser is reported loudly, not silently passed: CI installs it (scripts/system.mjs).
  process.stderr.write(
    `Chromium not found at ${chromium}: browser tests NOT run. apt-get install -y chromium\n`,
  );
  process.exit(process.env.CI ? 1 : 0);
}
const args = process.argv.slice(2).filter((a) => !/^--(reporter|outputFile)\b/.test(a));
const result = spawnSync('playwright', ['test', ...args], { stdio: 'inherit', env: process.env });
process.exit(result.status ?? 1);
