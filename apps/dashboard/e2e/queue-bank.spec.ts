// The hash bank in Chromium: "Remove and bank" on a queue item, then a resized, mirrored copy
// submitted through the platform API is matched and handled by the label's policy by a scoring
// worker that keeps running while the bank changes; and a bank exported from the Bank page and
// imported into a fresh database (through the CLI) round-trips.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { migrate } from '@ganmod/db';
import { ringsPng } from '../test/support/png';
import { submit } from '../test/support/submit';
import { expect, test, type Page } from './fixtures';
import { baseURL, userPage } from './helpers';

const run = promisify(execFile);
const trainerCli = join(import.meta.dirname, '../../trainer/dist/cli.js');
const dbUrl = () => `file:${join(process.env.E2E_DATA_DIR ?? '', 'ganmod.db')}`;

test.describe.configure({ mode: 'serial' });
test.skip(!process.env.E2E_WORKER, 'the trainer is not built (apps/trainer/dist/cli.js)');

async function post(externalId: string, image: Uint8Array): Promise<void> {
  const res = await submit(baseURL(), process.env.E2E_API_KEY ?? '', { externalId, image });
  expect(res.status).toBe(201);
}

/** What the platform reads back once the item is scored. */
async function verdict(externalId: string) {
  let body: { status: string; policy: { reasons: { label: string | null }[] } | null } = {
    status: 'PENDING',
    policy: null,
  };
  await expect
    .poll(
      async () => {
        const res = await fetch(`${baseURL()}/api/v1/submissions/${externalId}`, {
          headers: { authorization: `Bearer ${process.env.E2E_API_KEY ?? ''}` },
        });
        body = (await res.json()) as typeof body;
        return body.status;
      },
      // The worker loads its detectors first (TensorFlow.js models): allow for a busy machine.
      { timeout: 180_000 },
    )
    .not.toBe('PENDING');
  return body;
}

async function confirmChange(page: Page): Promise<void> {
  await page.getByTestId('confirm-bank-change').click();
  await expect(page.getByTestId('confirm-bank-change')).toBeHidden();
}

test('"Remove and bank", then a resized mirrored copy is blocked by the label\'s policy without a restart', async ({
  browser,
}) => {
  test.setTimeout(360_000);
  await post('bank-source', ringsPng(192));
  const page = await userPage(browser, 'moderator@ganmod.local');
  await page.goto('/queue');
  await page.getByRole('tab', { name: 'Unscored' }).click();
  await page.getByTestId('queue-row').filter({ hasText: 'bank-source' }).click();
  await expect(page.getByTestId('item-panel')).toHaveAttribute('data-external-id', 'bank-source');
  await page.getByLabel('Bank label').selectOption('TERROR');
  await page.getByTestId('act-REMOVE-BANK').click();
  await page.screenshot({ path: test.info().outputPath('remove-and-bank.png') });
  await page.getByTestId('confirm-remove-and-bank').click();
  await expect(page.getByTestId('flash')).toContainText(
    /Removed bank-source .* banked it as terror/,
  );

  // A scoring worker (the code path of `worker --moderation`), running from here on.
  const worker: ChildProcess = spawn(
    process.execPath,
    [trainerCli, 'worker', '--moderation', '--poll', '300'],
    {
      env: { ...process.env, DATABASE_URL: dbUrl(), GANMOD_DATA_DIR: process.env.E2E_DATA_DIR },
      stdio: 'ignore',
    },
  );
  try {
    await post('bank-copy-1', ringsPng(120, true));
    const first = await verdict('bank-copy-1');
    expect(first.status).toBe('BLOCKED');
    expect(first.policy?.reasons.map((r) => r.label)).toContain('match:terror');

    // The Bank page finds the picture by the copy's image (and its mirrors), with the match counted.
    await page.goto('/bank');
    await page.getByTestId('bank-search-image').setInputFiles({
      name: 'copy.png',
      mimeType: 'image/png',
      buffer: ringsPng(120, true),
    });
    await expect(page.getByTestId('bank-total')).toContainText('within distance 31');
    // One row for the banked picture (its crops and strip are its hashes, not rows of their own).
    const rows = page.getByTestId('bank-row');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('terror');
    await expect(rows.first().getByTestId('hash-count')).toHaveText(/^\d{2,} hashes$/);
    await expect(page.getByTestId('match-count').filter({ hasText: /^1/ })).toHaveCount(1);
    await page.screenshot({ path: test.info().outputPath('bank-page.png'), fullPage: true });

    // Disabled (each with a confirmation): the same worker lets the next copy through.
    for (let n = await rows.count(); n > 0; n--) {
      const enabled = rows.filter({ has: page.getByRole('button', { name: 'Disable' }) });
      if ((await enabled.count()) === 0) break;
      await enabled.first().getByRole('button', { name: 'Disable' }).click();
      await page.getByLabel('Why (kept in the bank history)').fill('e2e: false positive');
      await confirmChange(page);
    }
    await expect(rows.getByRole('button', { name: 'Disable' })).toHaveCount(0);
    await expect(page.getByTestId('bank-events')).toContainText('disable');
    await expect(page.getByTestId('bank-events')).toContainText('Moderator');

    await post('bank-copy-2', ringsPng(136, true));
    const second = await verdict('bank-copy-2');
    expect(second.status).not.toBe('BLOCKED');
    expect(second.policy?.reasons.some((r) => r.label?.startsWith('match:'))).toBe(false);
  } finally {
    worker.kill('SIGTERM');
  }
});

test('a bank exported from the Bank page and imported into a fresh database round-trips', async ({
  browser,
}) => {
  const admin = await userPage(browser, 'admin@ganmod.local');
  await admin.goto('/bank');
  // An admin imports a shared list (labels from the file).
  const list = [
    'hash,quality,label',
    `${'a1'.repeat(32)},100,csam`,
    `${'b2'.repeat(32)},83,copyright`,
  ];
  await admin.getByTestId('bank-import-file').setInputFiles({
    name: 'partner.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(list.join('\n')),
  });
  await expect(admin.getByTestId('bank-message')).toContainText(
    'Imported partner.csv: 2 hash(es) added',
  );
  // A bad list is refused whole, naming the line.
  await admin.getByTestId('bank-import-file').setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${'c3'.repeat(32)},100,csam\nnope,1,spam\n`),
  });
  await expect(admin.getByTestId('bank-message')).toContainText('Nothing imported from bad.csv');
  await expect(admin.getByTestId('bank-message')).toContainText('line 2');

  const download = admin.waitForEvent('download');
  await admin.getByTestId('bank-export').click();
  const exported = readFileSync(await (await download).path(), 'utf8');
  const lines = exported.trim().split('\n').sort();
  expect(lines).toContain(`${'a1'.repeat(32)},100,csam`);
  expect(lines).toContain(`${'b2'.repeat(32)},83,copyright`);
  expect(lines.every((l) => /^[0-9a-f]{64},\d*,[a-z-]+$/.test(l))).toBe(true);

  // Into a fresh database through the CLI, and back out: the same list.
  const dir = mkdtempSync(join(tmpdir(), 'ganmod-bank-roundtrip-'));
  try {
    const fresh = `file:${join(dir, 'fresh.db')}`;
    await migrate(fresh);
    const csv = join(dir, 'bank.csv');
    writeFileSync(csv, exported);
    const env = { ...process.env, DATABASE_URL: fresh };
    const imported = await run(process.execPath, [trainerCli, '--json', 'bank', 'import', csv], {
      env,
    });
    expect(JSON.parse(imported.stdout)).toEqual({ added: lines.length, alreadyBanked: 0 });
    const again = await run(process.execPath, [trainerCli, 'bank', 'export'], { env });
    expect(again.stdout.trim().split('\n').sort()).toEqual(lines);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Importing the export into the same bank adds nothing.
  await admin.getByTestId('bank-import-file').setInputFiles({
    name: 'export.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(exported),
  });
  await expect(admin.getByTestId('bank-message')).toContainText(
    `0 hash(es) added, ${lines.length} already banked`,
  );
});
