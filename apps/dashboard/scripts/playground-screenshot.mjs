#!/usr/bin/env node
// A PNG screenshot of a run's generator playground on a running dashboard (`pnpm start`), signed
// in through the form like a person, in headless Debian Chromium (or CHROMIUM_PATH).
//
//   node scripts/playground-screenshot.mjs --url http://127.0.0.1:3000 --email admin@ganmod.local \
//     --password <pw> --run <runId> [--class "Animals & Nature"] [--seed 1] --out playground.png
//
// Waits for the playground to load the export and draw; with --class, picks that class first.
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    email: { type: 'string' },
    password: { type: 'string' },
    run: { type: 'string' },
    step: { type: 'string' },
    class: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string', default: 'playground.png' },
    width: { type: 'string', default: '1600' },
    height: { type: 'string', default: '1100' },
  },
});
if (!values.email || !values.password || !values.run) {
  console.error('--email, --password and --run are required');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage({
    viewport: { width: Number(values.width), height: Number(values.height) },
  });
  await page.goto(`${values.url}/sign-in`);
  await page.getByLabel('Email').fill(values.email);
  await page.getByLabel('Password').fill(values.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').waitFor({ timeout: 60_000 });

  const query = values.step ? `?step=${values.step}` : '';
  await page.goto(`${values.url}/runs/${values.run}/playground${query}`);
  const playground = page.getByTestId('playground');
  const samples = page.getByTestId('playground-samples');
  const version = async () => Number((await samples.getAttribute('data-version')) ?? 0);
  /** Waits for a drawing newer than `after` and an idle playground. */
  const drawn = async (after) => {
    const deadline = Date.now() + 300_000;
    while (
      (await version()) <= after ||
      (await playground.getAttribute('data-state')) !== 'ready'
    ) {
      if (Date.now() > deadline) throw new Error('the playground did not draw within 5 minutes');
      await page.waitForTimeout(500);
    }
  };
  await drawn(0);
  // A control set to the value it already has draws nothing new: wait only on a change (the
  // first class is the default, so `--class` with it would otherwise wait forever).
  const change = async (control, set) => {
    const seen = await version();
    const before = await control.inputValue();
    await set(control);
    if ((await control.inputValue()) !== before) await drawn(seen);
  };
  if (values.seed) {
    await change(page.getByLabel('Seed', { exact: true }), (c) => c.fill(values.seed));
  }
  if (values.class) {
    await change(page.getByLabel('Class'), (c) => c.selectOption(values.class));
  }
  // The interpolation strip draws after the grid; let it finish too.
  await page.waitForTimeout(2000);
  await drawnIdle(playground, page);
  await page.screenshot({ path: values.out, fullPage: true });
  const ms = await page.getByTestId('playground-timing').getAttribute('data-ms');
  console.log(
    JSON.stringify({
      out: values.out,
      backend: await playground.getAttribute('data-backend'),
      lastDrawingMs: ms === null ? null : Number(ms),
    }),
  );
} finally {
  await browser.close();
}

async function drawnIdle(playground, page) {
  const deadline = Date.now() + 300_000;
  while ((await playground.getAttribute('data-state')) !== 'ready') {
    if (Date.now() > deadline) throw new Error('the playground stayed busy for 5 minutes');
    await page.waitForTimeout(500);
  }
}
