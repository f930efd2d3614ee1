import { expect, test } from './fixtures';
import { userPage } from './helpers';

test('an engineer promotes a checkpoint; the worker trains, evaluates and activates the detector', async ({
  browser,
}) => {
  test.skip(!process.env.E2E_WORKER, 'the trainer worker is not built (apps/trainer/dist/cli.js)');
  test.setTimeout(300_000);
  const page = await userPage(browser, 'engineer@ganmod.local');

  // A small run with two checkpoints, trained by the real worker.
  await page.goto('/runs/new');
  await page.getByLabel('Run name').fill('e2e-promote');
  await page.getByLabel('Steps', { exact: true }).fill('20');
  await page.getByLabel('Batch size').fill('16');
  await page.getByLabel('Sample grid every (steps)').fill('0');
  await page.getByLabel('Checkpoint every (steps)').fill('10');
  await page.getByRole('button', { name: 'Queue the run' }).click();
  await expect(page.getByTestId('run-view')).toHaveAttribute('data-status', 'SUCCEEDED', {
    timeout: 150_000,
  });

  await page.goto('/models');
  const form = page.getByRole('form', { name: 'Promote a checkpoint' });
  const option = form.locator('#promote-run option', { hasText: 'e2e-promote' });
  const runValue = await option.getAttribute('value');
  expect(runValue).toBeTruthy();
  await form.getByLabel('Run', { exact: true }).selectOption(runValue ?? '');
  await expect(form.getByLabel('Checkpoint step')).toContainText('10');
  await form.getByLabel('Checkpoint step').selectOption('10');
  await form.getByLabel('Training steps').fill('20');
  await form.getByRole('button', { name: 'Promote' }).click();
  await expect(page.getByText('Requested: the worker trains')).toBeVisible();

  const row = page.getByTestId('detector-models').locator('tr', { hasText: 'e2e-promote @ 10' });
  await expect(row).toContainText(/pending|training|ready/);
  // The page follows the request until the worker finishes it.
  await expect(row).toContainText('ready', { timeout: 150_000 });
  await expect(row).toContainText('active');
  await expect(row.locator('td').nth(4)).toHaveText(/^0\.\d{3}$|^1\.000$/);
  await expect(row.locator('td').nth(5)).toHaveText(/^0\.\d{3}$|^1\.000$/);

  await page.screenshot({ path: test.info().outputPath('models-page.png'), fullPage: true });

  // A moderator cannot reach the page.
  const moderator = await userPage(browser, 'moderator@ganmod.local');
  await moderator.goto('/models');
  await expect(moderator.getByRole('form', { name: 'Promote a checkpoint' })).toHaveCount(0);
});
