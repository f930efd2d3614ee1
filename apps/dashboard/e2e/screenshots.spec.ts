// Regenerates docs/screenshots/*.png from a live dashboard: GANMOD_SCREENSHOTS=1 pnpm test:e2e e2e/screenshots.spec.ts
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Page } from './fixtures';
import { createDb, topOfScores } from '@ganmod/db';
import { submitItems, userPage } from './helpers';

const out = join(import.meta.dirname, '..', 'docs', 'screenshots');
const shot = (page: Page, name: string) => page.screenshot({ path: join(out, `${name}.png`) });

test.skip(
  !process.env.GANMOD_SCREENSHOTS,
  'set GANMOD_SCREENSHOTS=1 to regenerate the screenshots',
);
test.setTimeout(900_000);

test('screenshots of the main pages', async ({ browser }) => {
  const signIn = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await signIn.goto(`${process.env.E2E_BASE_URL}/sign-in`);
  await shot(signIn, 'sign-in');

  await submitItems([
    { externalId: 'post-8812', caption: 'New profile pic! Taken yesterday at the beach', seed: 11 },
    {
      externalId: 'post-8813',
      caption: 'FREE followers!!! click my bio link, limited offer',
      seed: 12,
    },
    { externalId: 'post-8814', caption: 'my cat judging me again', seed: 13 },
    { externalId: 'post-8815', caption: 'you are all idiots, unfollow me', seed: 14 },
  ]);
  // Scores as the moderation pipeline records them (it is not wired into the dashboard yet).
  const db = createDb(`file:${join(process.env.E2E_DATA_DIR ?? '', 'ganmod.db')}`);
  const scores: Record<string, [string, number, string, string][]> = {
    'post-8812': [
      ['synthetic-image', 0.93, 'synthetic', 'GAN fingerprint in high frequencies'],
      ['explicit-image', 0.04, 'neutral', 'Neutral 0.91'],
      ['caption-abuse', 0.01, 'clean', 'no abusive terms'],
    ],
    'post-8813': [
      ['caption-spam', 0.88, 'spam', 'money + call to action + urgency'],
      ['synthetic-image', 0.12, 'real', 'no GAN fingerprint'],
    ],
    'post-8814': [
      ['synthetic-image', 0.41, 'uncertain', 'weak GAN fingerprint'],
      ['caption-spam', 0.03, 'ham', 'no spam signals'],
    ],
    'post-8815': [
      ['caption-abuse', 0.81, 'abusive', 'insult aimed at readers'],
      ['caption-spam', 0.07, 'ham', 'no spam signals'],
    ],
  };
  for (const [externalId, list] of Object.entries(scores)) {
    const item = await db.contentItem.findFirstOrThrow({ where: { externalId } });
    await db.contentItem.update({
      where: { id: item.id },
      data: {
        status: 'IN_REVIEW',
        policyAction: 'REVIEW',
        policyVersion: 'policy-v3',
        ...topOfScores(list.map(([detector, score]) => ({ detector, score }))),
        reasons: list
          .filter(([, s]) => s >= 0.5)
          .map(([detector, s, , reason]) => ({ detector, message: `${reason} (score ${s})` })),
        scores: {
          create: list.map(([detector, score, label, reason]) => ({
            detector,
            score,
            label,
            reason,
          })),
        },
      },
    });
  }
  await db.$disconnect();

  const mod = await userPage(browser, 'moderator@ganmod.local');
  await mod.goto('/queue');
  await expect(mod.getByTestId('claim-status')).toBeVisible();
  await shot(mod, 'queue');
  await mod.keyboard.press('r');
  await expect(mod.getByTestId('flash')).toBeVisible();
  await mod.keyboard.press('a');
  await mod.keyboard.press('?');
  await shot(mod, 'queue-shortcuts');
  await mod.keyboard.press('Escape');
  await mod.goto('/log');
  await expect(mod.getByTestId('log-row').first()).toBeVisible();
  await shot(mod, 'decision-log');
  await mod.goto('/stats');
  await expect(mod.getByTestId('agreement').getByText('synthetic-image')).toBeVisible();
  await shot(mod, 'stats');

  const eng = await userPage(browser, 'engineer@ganmod.local');
  await eng.goto('/runs/new');
  await eng.getByLabel('Run name').fill('mnist-mlp-baseline');
  await eng.getByLabel('Steps', { exact: true }).fill('300');
  await eng.getByLabel('Sample grid every (steps)').fill('50');
  await eng.getByLabel('Checkpoint every (steps)').fill('150');
  await eng.getByLabel('Discriminator learning rate').fill('-1');
  await shot(eng, 'launch-form');
  await eng.getByLabel('Discriminator learning rate').fill('0.0002');
  await eng.getByRole('button', { name: 'Queue the run' }).click();
  await expect(eng.getByTestId('run-view')).toHaveAttribute('data-status', 'SUCCEEDED', {
    timeout: 240_000,
  });
  await eng.waitForTimeout(2500);
  await shot(eng, 'run');
  await eng.goto('/runs');
  await shot(eng, 'runs');

  // The playground, on a conditional DCGAN trained in the foreground by the trainer CLI.
  const dir = process.env.E2E_DATA_DIR ?? '';
  const steps = process.env.GANMOD_SCREENSHOT_STEPS ?? '400';
  const trained = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, '../../trainer/dist/cli.js'),
      '--json',
      'train',
      ...['--name', 'mnist-cdcgan', '--model', 'cdcgan', '--dataset', 'mnist'],
      ...['--steps', steps, '--batch-size', '64', '--checkpoint-every', steps],
      ...['--sample-every', '0', '--eval-every', '0', '--no-progress'],
    ],
    {
      env: { ...process.env, DATABASE_URL: `file:${join(dir, 'ganmod.db')}`, GANMOD_DATA_DIR: dir },
      encoding: 'utf8',
    },
  );
  expect(trained.status, trained.stderr).toBe(0);
  const { runId } = JSON.parse(trained.stdout) as { runId: string };
  await eng.goto(`/runs/${runId}/playground`);
  await expect(eng.getByTestId('playground-timing')).toBeVisible({ timeout: 60_000 });
  await eng.getByLabel('Class').selectOption('3');
  await eng.getByLabel('Direction 1').fill('1.5');
  for (let i = 0; i < 2; i++) {
    await eng.waitForTimeout(500);
    await expect(eng.getByTestId('playground')).toHaveAttribute('data-state', 'ready', {
      timeout: 60_000,
    });
  }
  await shot(eng, 'playground');

  const admin = await userPage(browser, 'admin@ganmod.local');
  await admin.goto('/admin/api-keys');
  await admin.getByLabel('Platform or integration').fill('Photo app (production)');
  await admin.getByRole('button', { name: 'Create key' }).click();
  await expect(admin.getByTestId('new-secret')).toBeVisible();
  await shot(admin, 'api-keys');
  await admin.goto('/admin/users');
  await shot(admin, 'users');
});
