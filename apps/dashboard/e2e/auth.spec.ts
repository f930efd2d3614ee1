import { expect, test } from '@playwright/test';
import { baseURL, password, signIn } from './helpers';

test('anonymous visitors are sent to sign-in and come back after signing in', async ({ page }) => {
  await page.goto(`${baseURL()}/queue`);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fqueue/);
  await page.getByLabel('Email').fill('moderator@ganmod.local');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toContainText(/invalid/i);
  await page.getByLabel('Password').fill(password());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/queue$/);
  await expect(page.getByRole('heading', { name: 'Review queue' })).toBeVisible();
});

test('each role sees its own areas only', async ({ page }) => {
  await signIn(page, 'moderator@ganmod.local');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Review queue' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Training runs' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto(`${baseURL()}/admin/users`);
  await expect(page).toHaveURL(/\/forbidden$/);
  await page.goto(`${baseURL()}/runs`);
  await expect(page).toHaveURL(/\/forbidden$/);
});

test('an admin creates a user, changes their role, and disables them', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'admin@ganmod.local');
  await page.goto(`${baseURL()}/admin/users`);
  await page.getByLabel('Name').fill('Temp Person');
  await page.getByLabel('Email').fill('temp@ganmod.local');
  await page.getByLabel('Initial password').fill('temporary-pass-1');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText('Temp Person can now sign in as temp@ganmod.local.')).toBeVisible();
  await page.getByLabel('Role of temp@ganmod.local').selectOption('ENGINEER');
  const row = page.getByRole('row', { name: /temp@ganmod.local/ });
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row.getByText('disabled')).toBeVisible();
  // The disabled account cannot sign in.
  const other = await browser.newPage();
  await other.goto(`${baseURL()}/sign-in`);
  await other.getByLabel('Email').fill('temp@ganmod.local');
  await other.getByLabel('Password').fill('temporary-pass-1');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('main').getByRole('alert')).toContainText(/disabled/i);
});

test('an admin creates an API key, sees the secret once, and revokes it', async ({ page }) => {
  await signIn(page, 'admin@ganmod.local');
  await page.goto(`${baseURL()}/admin/api-keys`);
  await page.getByLabel('Platform or integration').fill('Browser test platform');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = (await page.getByTestId('secret-value').textContent()) ?? '';
  expect(secret).toMatch(/^gm_/);
  const form = new FormData();
  form.set('externalId', 'probe');
  const before = await fetch(`${baseURL()}/api/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}` },
    body: form,
  });
  expect(before.status).toBe(400); // authenticated; the body is what is wrong
  page.once('dialog', (d) => void d.accept());
  await page
    .getByRole('row', { name: /Browser test platform/ })
    .getByRole('button', { name: 'Revoke' })
    .click();
  await expect(page.getByRole('row', { name: /Browser test platform/ })).toContainText('revoked');
  const after = await fetch(`${baseURL()}/api/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}` },
    body: form,
  });
  expect(after.status).toBe(401);
  await page.reload();
  await expect(page.getByTestId('secret-value')).toHaveCount(0);
});
