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
