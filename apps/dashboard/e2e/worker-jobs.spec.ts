// The run page's Export button and the admins' "Recalibrate from decisions": the dashboard only
// records the request; the trainer's worker (started by global-setup) does the work.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDb } from '@ganmod/db';
import { expect, test } from './fixtures';
import { trainerBuilt, trainTinyRun, userPage } from './helpers';

const dataDir = () => process.env.E2E_DATA_DIR ?? '';
const openDb = () => createDb(`file:${join(dataDir(), 'ganmod.db')}`);

let runId = '';

test.beforeAll(() => {
  test.skip(
    !trainerBuilt() || !process.env.E2E_WORKER,
    'the trainer worker is not built (apps/trainer/dist/cli.js)',
  );
  // A 4-step MLP run on MNIST with a checkpoint: a real checkpoint to export, in seconds.
  runId = (trainTinyRun('e2e-export', 'mlp') as { runId: string }).runId;
});

test('Export on the run page has the worker export the newest checkpoint for the playground', async ({
  browser,
}) => {
  // As if the run had stopped before its own export: no EXPORT artifact, no export folder.
  const db = openDb();
  const exports = await db.artifact.findMany({ where: { runId, kind: 'EXPORT' } });
  for (const a of exports)
    rmSync(join(dataDir(), 'artifacts', a.path), { recursive: true, force: true });
  await db.artifact.deleteMany({ where: { runId, kind: 'EXPORT' } });

  const page = await userPage(browser, 'engineer@ganmod.local');
  await page.goto(`/runs/${runId}`);
  const button = page.getByTestId('export-button');
  await expect(button).toHaveText('Export');
  await button.click();
  const status = page.getByTestId('export-status');
  await expect(status).toContainText('Exported step 4', { timeout: 60_000 });
  await expect(button).toHaveText('Export');
  const artifact = await db.artifact.findFirstOrThrow({ where: { runId, kind: 'EXPORT' } });
  expect(artifact.step).toBe(4);
  expect(existsSync(join(dataDir(), 'artifacts', artifact.path, 'model.json'))).toBe(true);
  await status.getByRole('link', { name: 'Open it in the playground' }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}/playground\\?step=4$`));
  await db.$disconnect();
});

test('an admin recalibrates the policy from decisions and sees the before/after table', async ({
  browser,
}) => {
  const engineer = await userPage(browser, 'engineer@ganmod.local');
  await engineer.goto(`/runs/${runId}`);
  await expect(engineer.getByTestId('run-view')).toBeVisible();
  await expect(engineer.getByTestId('recalibrate-card')).toHaveCount(0);

  const admin = await userPage(browser, 'admin@ganmod.local');
  await admin.goto(`/runs/${runId}`);
  const card = admin.getByTestId('recalibrate-card');
  await card.getByRole('button', { name: 'Recalibrate from decisions' }).click();
  const report = card.getByTestId('recalibration-report');
  await expect(report).toContainText(/labels: \d+ items/, { timeout: 60_000 });
  await expect(report).toContainText('category   level');
  const db = openDb();
  const job = await db.workerJob.findFirstOrThrow({
    where: { kind: 'RECALIBRATE' },
    orderBy: { createdAt: 'desc' },
  });
  expect(job.status).toBe('SUCCEEDED');
  await db.$disconnect();
});
