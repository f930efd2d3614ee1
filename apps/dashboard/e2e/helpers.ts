import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Browser, type Page } from '@playwright/test';
import { samplePng } from '../test/support/png';
import { submit } from '../test/support/submit';

export const baseURL = () => process.env.E2E_BASE_URL ?? '';
export const password = () => process.env.E2E_PASSWORD ?? '';

/** Signs in through the form, like a person would. */
export async function signIn(page: Page, email: string, secret = password()): Promise<void> {
  await page.goto(`${baseURL()}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toBeVisible();
}

/** A fresh browser context signed in as `email`. */
export async function userPage(
  browser: Browser,
  email: string,
  secret = password(),
): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseURL() });
  const page = await context.newPage();
  await signIn(page, email, secret);
  return page;
}

/** Submits items through the platform API with the seeded key. */
export async function submitItems(
  items: { externalId: string; caption: string; seed: number }[],
): Promise<void> {
  for (const item of items) {
    const res = await submit(baseURL(), process.env.E2E_API_KEY ?? '', {
      externalId: item.externalId,
      caption: item.caption,
      image: samplePng(item.seed, 96),
    });
    expect(res.status).toBe(201);
  }
}

const trainerCli = join(import.meta.dirname, '../../trainer/dist/cli.js');

/** Whether the trainer's CLI is built (the specs that train skip without it). */
export const trainerBuilt = () => existsSync(trainerCli);

/**
 * Trains a 4-step `model` (a GAN, or the conditional VAE whose decoder is exported) on 128 MNIST
 * digits (`resnet-cgan`: the emoji-avatars preset on 128 64x64 RGB emoji) with the real trainer
 * CLI, writing a checkpoint at step 4 (and, as every run does when it ends, an export) into the e2e
 * data dir's database: real weights in seconds.
 * Returns what `--json train` prints (the run id, its artifacts).
 */
export function trainTinyRun(
  name: string,
  model: 'mlp' | 'dcgan' | 'cdcgan' | 'cvae' | 'resnet-cgan',
): unknown {
  const dir = process.env.E2E_DATA_DIR ?? '';
  const data =
    model === 'resnet-cgan'
      ? ['--preset', 'emoji-avatars']
      : ['--model', model, '--dataset', 'mnist'];
  const result = spawnSync(
    process.execPath,
    [
      trainerCli,
      '--json',
      'train',
      '--name',
      name,
      ...data,
      '--limit',
      '128',
      '--steps',
      '4',
      '--batch-size',
      '16',
      '--sample-every',
      '0',
      '--checkpoint-every',
      '4',
      '--eval-every',
      '0',
      '--no-progress',
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: `file:${join(dir, 'ganmod.db')}`,
        GANMOD_DATA_DIR: dir,
        CHECKPOINT_DISABLE: '1',
        LOG_LEVEL: 'warn',
      },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (result.status !== 0) throw new Error(`training failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}
