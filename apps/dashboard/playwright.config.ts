import { defineConfig } from '@playwright/test';

// Browser tests in headless Debian Chromium (`npx playwright install` cannot download browsers here).
export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // The JSON report feeds the pass/fail line of the root `npm test`.
  reporter: [['list'], ['json', { outputFile: 'playwright-results.json' }]],
  outputDir: './e2e/.results',
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
  },
});
