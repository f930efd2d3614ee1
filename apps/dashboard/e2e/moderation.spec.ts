import { join } from 'node:path';
import { createDb, scoreContentItem } from '@ganmod/db';
import { expect, test, type Page } from './fixtures';
import { submitItems, userPage } from './helpers';

/** Submitted items are PENDING (this worker does not score content): the "Unscored" view. */
async function openUnscored(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Unscored' }).click();
  await expect(page.getByRole('tab', { name: 'Unscored' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
}

test.describe.configure({ mode: 'serial' });

test('a moderator works the queue with the keyboard and the decisions appear in the log', async ({
  browser,
}) => {
  await submitItems([
    { externalId: 'kbd-1', caption: 'first post from the platform', seed: 1 },
    { externalId: 'kbd-2', caption: 'second post, looks like spam', seed: 2 },
    { externalId: 'kbd-3', caption: 'third post needs a specialist', seed: 3 },
  ]);
  const page = await userPage(browser, 'moderator@ganmod.local');
  await page.goto('/queue');
  await openUnscored(page);
  const panel = page.getByTestId('item-panel');
  await expect(panel).toHaveAttribute('data-external-id', 'kbd-1');
  await expect(page.getByTestId('claim-status')).toContainText('You hold this item');

  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-help')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcuts-help')).toBeHidden();

  // j/k move between items (each opened item is claimed).
  await page.keyboard.press('j');
  await expect(panel).toHaveAttribute('data-external-id', 'kbd-2');
  await page.keyboard.press('k');
  await expect(panel).toHaveAttribute('data-external-id', 'kbd-1');

  await page.keyboard.press('a');
  await expect(page.getByTestId('flash')).toContainText('Approved kbd-1');
  await expect(panel).toHaveAttribute('data-external-id', 'kbd-2');

  await page.getByLabel('Remove reason').selectOption('spam');
  await page.keyboard.press('n');
  await page.keyboard.type('link farm');
  await page.keyboard.press('Escape');
  await page.keyboard.press('r');
  await expect(page.getByTestId('flash')).toContainText('Removed kbd-2 (spam)');

  await expect(panel).toHaveAttribute('data-external-id', 'kbd-3');
  await page.keyboard.press('e');
  await expect(page.getByTestId('flash')).toContainText('Escalated kbd-3');
  await expect(page.getByTestId('queue-row')).toHaveCount(0);

  await page.goto('/log');
  const log = page.getByTestId('decision-log');
  await expect(log.getByRole('row', { name: /kbd-1/ })).toContainText('approve');
  await expect(log.getByRole('row', { name: /kbd-2/ })).toContainText('remove');
  await expect(log.getByRole('row', { name: /kbd-2/ })).toContainText('link farm');
  await expect(log.getByRole('row', { name: /kbd-3/ })).toContainText('escalate');
  await page.getByLabel('Action').selectOption('REMOVE');
  await expect(page.getByTestId('log-row')).toHaveCount(1);
  await page.getByLabel('Action').selectOption('');
  await page.getByLabel('Moderator').selectOption({ label: 'Second Moderator' });
  await expect(page.getByTestId('log-row')).toHaveCount(0);
});

test('a second moderator cannot take or decide an item already decided', async ({ browser }) => {
  await submitItems([
    { externalId: 'contested', caption: 'two moderators want this one', seed: 4 },
  ]);
  const first = await userPage(browser, 'moderator@ganmod.local');
  await first.goto('/queue');
  await openUnscored(first);
  await expect(first.getByTestId('item-panel')).toHaveAttribute('data-external-id', 'contested');
  await expect(first.getByTestId('claim-status')).toContainText('You hold this item');

  const second = await userPage(browser, 'second@ganmod.local');
  await second.goto('/queue');
  await openUnscored(second);
  await expect(second.getByTestId('item-panel')).toHaveAttribute('data-external-id', 'contested');
  await expect(second.getByTestId('item-panel')).toContainText('Moderator is reviewing this item');

  // Held by the first moderator: the second's buttons are disabled and a key records nothing.
  await expect(second.getByTestId('act-REMOVE')).toBeDisabled();
  await second.keyboard.press('r');
  await expect(second.getByTestId('flash')).toContainText(
    'Not recorded: Moderator holds contested',
  );

  await first.keyboard.press('a');
  await expect(first.getByTestId('flash')).toContainText('Approved contested');

  // The second moderator's screen still shows the item; its next renewal learns it was decided.
  await expect(second.getByTestId('item-panel')).toContainText('already decided (approved)', {
    timeout: 15_000,
  });
  await expect(second.getByTestId('act-REMOVE')).toBeDisabled();

  await second.goto('/log');
  await expect(
    second.getByTestId('decision-log').getByRole('row', { name: /contested/ }),
  ).toHaveCount(1);
});

test('bulk actions decide several items at once', async ({ browser }) => {
  await submitItems([
    { externalId: 'bulk-1', caption: 'bulk one', seed: 5 },
    { externalId: 'bulk-2', caption: 'bulk two', seed: 6 },
  ]);
  const page = await userPage(browser, 'second@ganmod.local');
  await page.goto('/queue');
  await openUnscored(page);
  await page.getByLabel('Select bulk-1').check();
  await page.getByLabel('Select bulk-2').check();
  await page.getByLabel('Bulk action').selectOption('REMOVE');
  await page.getByLabel('Bulk reason').selectOption('spam');
  await page.getByRole('button', { name: 'Apply to 2' }).click();
  await expect(page.getByTestId('flash')).toContainText('Removed 2 of 2');
});

test('the remove reason starts as the category that flagged each item; number keys change it', async ({
  browser,
}) => {
  await submitItems([
    { externalId: 'flag-spam-1', caption: 'FREE followers, click my bio link', seed: 21 },
    { externalId: 'flag-abuse', caption: 'you are all idiots', seed: 22 },
    { externalId: 'flag-spam-2', caption: 'limited offer, act now', seed: 23 },
  ]);
  // Scored through the pipeline's own write path, as the worker records a verdict.
  const db = createDb(`file:${join(process.env.E2E_DATA_DIR ?? '', 'ganmod.db')}`);
  const verdicts: Record<string, [string, number][]> = {
    'flag-spam-1': [
      ['caption-spam', 0.92],
      ['caption-abuse', 0.05],
    ],
    'flag-abuse': [
      ['caption-abuse', 0.85],
      ['caption-spam', 0.1],
    ],
    'flag-spam-2': [
      ['caption-spam', 0.77],
      ['synthetic-image', 0.2],
    ],
  };
  for (const [externalId, scores] of Object.entries(verdicts)) {
    const item = await db.contentItem.findFirstOrThrow({ where: { externalId } });
    const scored = await scoreContentItem(db, item, {
      action: 'REVIEW',
      policyVersion: 'e2e',
      reasons: [],
      scores: scores.map(([detector, score]) => ({
        detector,
        score,
        label: 'flagged',
        reason: `${detector}: ${score}`,
        details: {},
        detectorModelId: null,
      })),
      reasonCode: 'policy.review',
      note: null,
    });
    expect(scored).toBe(true);
  }
  await db.$disconnect();

  const page = await userPage(browser, 'moderator@ganmod.local');
  await page.goto('/queue');
  const panel = page.getByTestId('item-panel');
  const removeReason = page.getByLabel('Remove reason');
  await expect(panel).toHaveAttribute('data-external-id', 'flag-spam-1');
  await expect(page.getByTestId('claim-status')).toContainText('You hold this item');
  // The options carry their number keys.
  await expect(removeReason.locator('option').first()).toHaveText('1 · Explicit content');
  await expect(removeReason).toHaveValue('spam');
  // No reason chosen by hand: `r` records the category that flagged it.
  await page.keyboard.press('r');
  await expect(page.getByTestId('flash')).toContainText('Removed flag-spam-1 (spam)');

  await expect(panel).toHaveAttribute('data-external-id', 'flag-abuse');
  await expect(removeReason).toHaveValue('harassment');
  await page.keyboard.press('1');
  await expect(removeReason).toHaveValue('explicit');
  await page.keyboard.press('r');
  await expect(page.getByTestId('flash')).toContainText('Removed flag-abuse (explicit)');

  // The hand-picked reason does not carry over to the next item.
  await expect(panel).toHaveAttribute('data-external-id', 'flag-spam-2');
  await expect(removeReason).toHaveValue('spam');
  await page.keyboard.press('r');
  await expect(page.getByTestId('flash')).toContainText('Removed flag-spam-2 (spam)');

  // What the log recorded, read back from the database.
  const check = createDb(`file:${join(process.env.E2E_DATA_DIR ?? '', 'ganmod.db')}`);
  const recorded = await check.decision.findMany({
    where: { actorId: { not: null }, item: { externalId: { startsWith: 'flag-' } } },
    select: { action: true, reasonCode: true, item: { select: { externalId: true } } },
    orderBy: { createdAt: 'asc' },
  });
  await check.$disconnect();
  expect(recorded.map((d) => [d.item.externalId, d.action, d.reasonCode])).toEqual([
    ['flag-spam-1', 'REMOVE', 'spam'],
    ['flag-abuse', 'REMOVE', 'explicit'],
    ['flag-spam-2', 'REMOVE', 'spam'],
  ]);
});
