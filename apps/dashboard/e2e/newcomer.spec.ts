// What a newcomer does on a fresh clone: the README's start command with nothing set, then the
// dashboard through Chromium with the login that command printed. It runs on a copy of the
// repository (its node_modules hard-linked, no ./data), so nothing of the suite's own servers,
// databases or secrets can help it along.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { samplePng } from '../test/support/png';
import { submit } from '../test/support/submit';

const repoRoot = join(import.meta.dirname, '../../..');

/** Copies the working tree without ./data and build caches of the suite's servers. */
function copyRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'ganmod-newcomer-'));
  const excludes = [
    './data',
    './node_modules',
    './apps/*/node_modules',
    './packages/*/node_modules',
    './apps/dashboard/e2e/.results',
    '*/test-results.json',
    '*/playwright-results.json',
    // Logs turbo is still writing for the suites running beside this one, and the typecheck's
    // incremental state (npm test type-checks beside the tests).
    '*/.turbo/turbo-*.log',
    '*.tsbuildinfo',
  ].map((p) => `--exclude=${p}`);
  const tar = spawnSync(
    'bash',
    ['-c', `set -o pipefail; tar ${excludes.join(' ')} -cf - . | tar -xf - -C "${copy}"`],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
  );
  // GNU tar exits 1 when a file changed while it was read: a cache entry the checks beside this
  // suite were still writing. Anything else it reports fails the copy.
  const problems = tar.stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/file changed as we read it/.test(line));
  expect(problems, tar.stderr).toEqual([]);
  expect([0, 1], tar.stderr).toContain(tar.status);
  // Dependencies as installed (pnpm's store files are immutable): hard links, not copies.
  const links = spawnSync('cp', ['-al', 'node_modules', join(copy, 'node_modules')], {
    cwd: repoRoot,
  });
  expect(links.status).toBe(0);
  for (const group of ['apps', 'packages']) {
    for (const name of readdirSync(join(repoRoot, group))) {
      spawnSync('cp', ['-a', join(group, name, 'node_modules'), join(copy, group, name)], {
        cwd: repoRoot,
      });
    }
  }
  return copy;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Resolves with the first match of `pattern` in the child's output, or rejects when it exits. */
function waitForOutput(child: ChildProcess, pattern: RegExp, log: () => string) {
  return new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = log().match(pattern);
      if (match) resolve(match);
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${log()}`)));
  });
}

test('a newcomer runs npm start with nothing set, signs in with what it printed, and moderates a post', async ({
  browser,
}) => {
  test.setTimeout(10 * 60_000);
  const copy = copyRepository();
  const port = await freePort();
  // An empty environment: no auth secret, no admin password, no database URL. PATH and HOME
  // only (npm needs them), PORT for a free port, and the build flag that keys turbo's cache so
  // the copy replays the suite's build instead of compiling it again.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    PORT: String(port),
    ...(process.env.GANMOD_REQUIRE_NATIVE
      ? { GANMOD_REQUIRE_NATIVE: process.env.GANMOD_REQUIRE_NATIVE }
      : {}),
  };
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: copy,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const [, url, email, password] = await waitForOutput(
      child,
      /Dashboard: (http:\/\/\S+)\n\s+Sign in:\s+(\S+) \/ (\S+)\n/,
      () => log,
    );
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(password).not.toBe('ganmod-admin');
    expect(log).toContain(`npm run db -- reset-password ${email}`);

    const context = await browser.newContext({ baseURL: url });
    const page = await context.newPage();
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in/);
    await page.getByLabel('Email').fill(email!);
    await page.getByLabel('Password').fill(password!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('current-user')).toBeVisible();

    // An API key for a platform, shown once.
    await page.goto('/admin/api-keys');
    await page.getByLabel('Platform or integration').fill('Newcomer platform');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('secret-value').textContent()) ?? '';
    expect(key).toMatch(/^gm_/);

    // The platform posts an image whose file is cut short: the pipeline cannot read it, so it
    // waits for a person whatever the detectors would say.
    const png = samplePng(7, 96);
    const res = await submit(url!, key, {
      externalId: 'newcomer-post-1',
      caption: 'my first post',
      image: png.subarray(0, Math.floor(png.length / 2)),
    });
    expect(res.status).toBe(201);

    // The worker that npm start runs scores it; the moderator decides once the policy has spoken.
    const panel = page.getByTestId('item-panel');
    await expect(async () => {
      await page.goto('/queue');
      await expect(panel).toHaveAttribute('data-external-id', 'newcomer-post-1');
      await expect(page.getByTestId('history')).toContainText('policy', { timeout: 1000 });
    }).toPass({ timeout: 180_000 });
    await page.keyboard.press('a');
    await expect(page.getByTestId('flash')).toContainText('Approved newcomer-post-1');

    await page.goto('/log');
    // The log holds the policy's automatic decision and the admin's approval.
    const rows = page.getByTestId('decision-log').getByRole('row', { name: /newcomer-post-1/ });
    await expect(rows.filter({ hasText: 'approve' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'approve' })).toContainText('Admin');
    await context.close();
  } finally {
    // npm start runs the worker and the dashboard as its children: stop the whole group.
    if (child.pid && child.exitCode === null) {
      process.kill(-child.pid, 'SIGTERM');
      await once(child, 'exit');
    }
    rmSync(copy, { recursive: true, force: true });
  }
});
