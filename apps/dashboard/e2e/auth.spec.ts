import { expect, test, type Page } from './fixtures';
import { baseURL, password, signIn, userPage } from './helpers';

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
  await page.getByLabel('Initial password').fill('provisional-pass-1');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText('Temp Person can now sign in as temp@ganmod.local.')).toBeVisible();
  // A role change and disabling each wait for a confirmation; "Keep as is" changes nothing.
  const role = page.getByLabel('Role of temp@ganmod.local');
  await role.selectOption('ENGINEER');
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText('Make Temp Person ML engineer?');
  await dialog.getByRole('button', { name: 'Keep as is' }).click();
  await expect(dialog).toBeHidden();
  await expect(role).toHaveValue('MODERATOR');
  await role.selectOption('ENGINEER');
  await dialog.getByRole('button', { name: 'Change role' }).click();
  await expect(role).toHaveValue('ENGINEER');
  const row = page.getByRole('row', { name: /temp@ganmod.local/ });
  await expect(row.getByText('active')).toBeVisible();
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(dialog).toContainText('signed out everywhere');
  await dialog.getByRole('button', { name: 'Disable' }).click();
  await expect(row.getByText('disabled')).toBeVisible();
  // The disabled account cannot sign in.
  const other = await browser.newPage();
  await other.goto(`${baseURL()}/sign-in`);
  await other.getByLabel('Email').fill('temp@ganmod.local');
  await other.getByLabel('Password').fill('provisional-pass-1');
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

test('signing in never leaves the origin, whatever `next` says', async ({ page }) => {
  const origin = new URL(baseURL()).origin;
  const offsite: string[] = [];
  page.on('request', (req) => {
    if (req.isNavigationRequest() && new URL(req.url()).origin !== origin) offsite.push(req.url());
  });
  // Chromium reads `/\evil.example/` as `//evil.example/`: before the fix it went there.
  await page.goto(`${baseURL()}/sign-in?next=/%5Cevil.example/`);
  await page.getByLabel('Email').fill('admin@ganmod.local');
  await page.getByLabel('Password').fill(password());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toBeVisible();
  expect(new URL(page.url()).origin).toBe(origin);
  expect(new URL(page.url()).pathname).toBe('/');
  expect(offsite).toEqual([]);
});

/** Fills the sign-in form; returns once it either signed in or showed an error. */
async function trySignIn(page: Page, email: string, secret: string): Promise<void> {
  await page.goto(`${baseURL()}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('people change their own password; admins reset it and rename them', async ({ browser }) => {
  const email = 'changer@ganmod.local';
  const first = 'first-secret-of-mine';
  const second = 'second-secret-of-mine';
  const admin = await userPage(browser, 'admin@ganmod.local');
  await admin.goto(`${baseURL()}/admin/users`);
  await admin.getByLabel('Name').fill('Changer');
  await admin.getByLabel('Email').fill(email);
  // The policy applies when an admin creates an account, with its message on the field.
  await admin.getByLabel('Initial password').fill('eleven-char');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await expect(admin.getByText('Passwords must be at least 12 characters long.')).toBeVisible();
  await admin.getByLabel('Initial password').fill(first);
  await admin.getByRole('button', { name: 'Add user' }).click();
  await expect(admin.getByText(`Changer can now sign in as ${email}.`)).toBeVisible();

  // Two sessions of the same person: here, and "on another device".
  const here = await userPage(browser, email, first);
  const elsewhere = await userPage(browser, email, first);
  await here.getByRole('link', { name: 'Account' }).click();
  await expect(here.getByRole('heading', { name: 'Account' })).toBeVisible();
  const change = async (current: string, next: string, confirm = next) => {
    await here.getByLabel('Current password').fill(current);
    await here.getByLabel('New password', { exact: true }).fill(next);
    await here.getByLabel('Confirm new password').fill(confirm);
    await here.getByRole('button', { name: 'Change password' }).click();
  };
  await change('not-my-password-at-all', second);
  await expect(here.getByText('That is not your current password')).toBeVisible();
  await change(first, 'too-short');
  await expect(here.getByText('Passwords must be at least 12 characters long.')).toBeVisible();
  await change(first, second);
  await expect(here.getByText('Password changed. 1 other session was signed out.')).toBeVisible();
  // This session goes on; the other one is over; only the new password signs in.
  await here.reload();
  await expect(here.getByTestId('current-user')).toHaveText('Changer');
  await elsewhere.goto(`${baseURL()}/queue`);
  await expect(elsewhere).toHaveURL(/\/sign-in/);
  await trySignIn(elsewhere, email, first);
  await expect(elsewhere.getByRole('main').getByRole('alert')).toContainText(/invalid/i);
  await trySignIn(elsewhere, email, second);
  await expect(elsewhere.getByTestId('current-user')).toBeVisible();

  // The admin renames them and resets their password: a generated one, shown once.
  await admin.reload();
  const row = admin.getByRole('row', { name: new RegExp(email) });
  await row.getByRole('button', { name: 'Rename' }).click();
  await admin.getByLabel('Display name').fill('  Changer Renamed  ');
  await admin.getByRole('button', { name: 'Save' }).click();
  await expect(row.getByRole('cell').first()).toHaveText('Changer Renamed');
  await row.getByRole('button', { name: 'Reset password' }).click();
  const dialog = admin.getByRole('dialog');
  await expect(dialog).toContainText('signed out everywhere');
  await dialog.getByRole('button', { name: 'Reset password' }).click();
  const generated = (await dialog.getByTestId('reset-password-value').textContent()) ?? '';
  expect(generated).toMatch(/^[A-Za-z0-9_-]{20}$/);
  await expect(dialog).toContainText('2 sessions were signed out.');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await row.getByRole('button', { name: 'Reset password' }).click();
  await expect(admin.getByTestId('reset-password-value')).toHaveCount(0);
  await admin.keyboard.press('Escape');
  // Both of their sessions ended; the shown password signs in.
  for (const page of [here, elsewhere]) {
    await page.goto(`${baseURL()}/account`);
    await expect(page).toHaveURL(/\/sign-in/);
  }
  await trySignIn(here, email, second);
  await expect(here.getByRole('main').getByRole('alert')).toContainText(/invalid/i);
  await trySignIn(here, email, generated);
  await expect(here.getByTestId('current-user')).toHaveText('Changer Renamed');
});
