// Claims that follow the moderator (leases renewed by the open tab, given back on pagehide),
// truthful status for items the pipeline refused, and the undo window of bulk actions.
// The e2e server runs with GANMOD_CLAIM_SECONDS=30 (global-setup): a tab renews every 10 s.
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { createDb, scoreContentItem, type Db } from '@ganmod/db';
import { validateImage } from '@ganmod/moderation';
import { INPUT_DETECTOR, inputReasonCode } from '@ganmod/moderation/contract';
import { expect, test, type Page } from './fixtures';
import { baseURL, submitItems, userPage } from './helpers';
import { submit } from '../test/support/submit';

test.describe.configure({ mode: 'serial' });

const openDb = (): Db => createDb(`file:${join(process.env.E2E_DATA_DIR ?? '', 'ganmod.db')}`);

async function openUnscored(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Unscored' }).click();
  await expect(page.getByRole('tab', { name: 'Unscored' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
}

/** Decides every item still waiting, so each test starts from an empty queue. */
async function clearQueue(db: Db): Promise<void> {
  await db.contentItem.updateMany({
    where: { status: { in: ['PENDING', 'IN_REVIEW', 'ESCALATED'] } },
    data: { status: 'APPROVED', claimedById: null, claimExpiresAt: null },
  });
}

/** A PNG whose header declares width × height pixels (and carries no pixel data). */
function declaredPng(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

test('closing a tab gives its item back at once (pagehide beacon), and a held item is read-only', async ({
  browser,
}) => {
  const db = openDb();
  await clearQueue(db);
  await submitItems([
    { externalId: 'lease-1', caption: 'first in line', seed: 41 },
    { externalId: 'lease-2', caption: 'second in line', seed: 42 },
  ]);
  const first = await userPage(browser, 'moderator@ganmod.local');
  await first.goto('/queue');
  await openUnscored(first);
  await expect(first.getByTestId('item-panel')).toHaveAttribute('data-external-id', 'lease-1');
  await expect(first.getByTestId('claim-status')).toContainText('You hold this item');

  // The second moderator is handed the next item nobody holds, not the held one.
  const second = await userPage(browser, 'second@ganmod.local');
  await second.goto('/queue');
  await openUnscored(second);
  const panel = second.getByTestId('item-panel');
  await expect(panel).toHaveAttribute('data-external-id', 'lease-2');
  await expect(second.getByTestId('claim-status')).toContainText('You hold this item');
  // Opening the held one shows who holds it, with the decision buttons disabled.
  await second.getByTestId('queue-row').filter({ hasText: 'lease-1' }).click();
  await expect(panel).toHaveAttribute('data-external-id', 'lease-1');
  await expect(panel).toContainText('Moderator is reviewing this item');
  await expect(second.getByTestId('act-APPROVE')).toBeDisabled();
  await expect(second.getByTestId('act-REMOVE')).toBeDisabled();
  await second.keyboard.press('a');
  await expect(second.getByTestId('flash')).toContainText('Not recorded: Moderator holds lease-1');

  const item = await db.contentItem.findFirstOrThrow({ where: { externalId: 'lease-1' } });
  expect(item.claimExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 10_000);
  // Closing the first tab: its pagehide beacon releases the claim. An expired lease keeps its
  // holder's id; only a release clears it, so a cleared holder long before the 30 s lease ends
  // shows the beacon did it.
  const closedAt = Date.now();
  await first.close({ runBeforeUnload: true });
  await expect
    .poll(
      async () => (await db.contentItem.findUniqueOrThrow({ where: { id: item.id } })).claimedById,
      { timeout: 10_000, intervals: [250] },
    )
    .toBeNull();
  expect(Date.now() - closedAt).toBeLessThan(10_000);
  // The second moderator's tab, still on the item, takes it at its next renewal.
  await expect(second.getByTestId('claim-status')).toContainText('You hold this item', {
    timeout: 15_000,
  });
  await expect(second.getByTestId('act-APPROVE')).toBeEnabled();
  expect(Date.now() - closedAt).toBeLessThan(30_000);
  await second.context().close();
  await db.$disconnect();
});

test('the open tab renews its lease before it lapses', async ({ browser }) => {
  const db = openDb();
  await clearQueue(db);
  await submitItems([{ externalId: 'renew-1', caption: 'kept open', seed: 43 }]);
  const page = await userPage(browser, 'moderator@ganmod.local');
  await page.goto('/queue');
  await openUnscored(page);
  await expect(page.getByTestId('claim-status')).toContainText('renews it every 10 s');
  const read = async () =>
    (
      await db.contentItem.findFirstOrThrow({ where: { externalId: 'renew-1' } })
    ).claimExpiresAt!.getTime();
  const before = await read();
  await expect.poll(read, { timeout: 20_000, intervals: [1000] }).toBeGreaterThan(before);
  await page.context().close();
  await db.$disconnect();
});

test('a refused image shows its refusal, is not called unscored, and gets a placeholder', async ({
  browser,
}) => {
  const db = openDb();
  await clearQueue(db);
  const bomb = declaredPng(50_000, 50_000);
  const res = await submit(baseURL(), process.env.E2E_API_KEY ?? '', {
    externalId: 'pixel-bomb',
    caption: 'a tiny file declaring a huge image',
    image: bomb,
  });
  expect(res.status).toBe(201);
  // The pipeline's refusal, recorded as the scorer records it (the validator's own error).
  let error: { code: string; message: string } | null = null;
  try {
    validateImage(bomb);
  } catch (err) {
    error = err as { code: string; message: string };
  }
  expect(error?.code).toBe('TOO_MANY_PIXELS');
  const item = await db.contentItem.findFirstOrThrow({ where: { externalId: 'pixel-bomb' } });
  await scoreContentItem(db, item, {
    action: 'REVIEW',
    policyVersion: 'e2e',
    reasons: [
      {
        detector: INPUT_DETECTOR,
        category: 'detector-error',
        score: 1,
        label: error!.code,
        action: 'REVIEW',
        reason: error!.message,
      },
    ],
    scores: [],
    reasonCode: inputReasonCode(error!.code),
    note: error!.message,
  });
  await db.$disconnect();

  const page = await userPage(browser, 'moderator@ganmod.local');
  await page.goto('/queue');
  const row = page.getByTestId('queue-row').filter({ hasText: 'pixel-bomb' });
  await expect(row.getByTestId('row-refusal')).toHaveText('image refused');
  await expect(row).not.toContainText('unscored');
  const panel = page.getByTestId('item-panel');
  await expect(panel).toHaveAttribute('data-external-id', 'pixel-bomb');
  await expect(page.getByTestId('item-refusal')).toContainText(
    'Image refused: PNG header declares 50000x50000',
  );
  await expect(panel).not.toContainText('has not run on this item');
  await expect(panel.getByTestId('image-placeholder')).toHaveAttribute(
    'aria-label',
    'Image refused',
  );
  // Nothing about it in "Unscored": it was looked at and refused.
  await openUnscored(page);
  await expect(page.getByTestId('queue-row').filter({ hasText: 'pixel-bomb' })).toHaveCount(0);
  // Closed, so its tab does not open (claim) the next test's items.
  await page.context().close();
});

test('a bulk action waits out its undo window: Undo records nothing, waiting records it', async ({
  browser,
}) => {
  const db = openDb();
  await clearQueue(db);
  await submitItems([
    { externalId: 'undo-1', caption: 'bulk one', seed: 44 },
    { externalId: 'undo-2', caption: 'bulk two', seed: 45 },
  ]);
  const page = await userPage(browser, 'second@ganmod.local');
  await page.goto('/queue');
  await openUnscored(page);
  const decisions = () =>
    db.decision.count({
      where: { actorId: { not: null }, item: { externalId: { startsWith: 'undo-' } } },
    });
  await page.getByLabel('Select undo-1').check();
  await page.getByLabel('Select undo-2').check();
  await page.getByLabel('Bulk action').selectOption('REMOVE');
  await page.getByLabel('Bulk reason').selectOption('spam');
  await page.getByRole('button', { name: 'Apply to 2' }).click();
  await expect(page.getByTestId('undo-bar')).toContainText('Removed 2 (spam)');
  await page.getByTestId('undo-bar').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('flash')).toContainText('Undone: nothing was recorded');
  await page.waitForTimeout(6000);
  expect(await decisions()).toBe(0);

  await page.getByLabel('Select undo-1').check();
  await page.getByLabel('Select undo-2').check();
  await page.getByLabel('Bulk action').selectOption('REMOVE');
  await page.getByLabel('Bulk reason').selectOption('spam');
  await page.getByRole('button', { name: 'Apply to 2' }).click();
  await expect(page.getByTestId('undo-bar')).toBeVisible();
  expect(await decisions()).toBe(0);
  // Closing the tab now would drop the action: the browser asks, and staying keeps it pending.
  const asked = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.dismiss();
  expect(page.isClosed()).toBe(false);
  await expect(page.getByTestId('flash')).toContainText('Removed 2 of 2', { timeout: 10_000 });
  expect(await decisions()).toBe(2);
  await db.$disconnect();
});
