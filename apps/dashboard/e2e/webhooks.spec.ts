// An admin points the E2E key at a receiver this spec runs, watches the worker's failed attempts
// on the Webhook deliveries page, and replays a delivered event: the receiver gets it again with
// the same webhook-id and a valid Standard Webhooks signature.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createDb, scoreContentItem } from '@ganmod/db';
import { Webhook } from 'standardwebhooks';
import { expect, test } from './fixtures';
import { submitItems, userPage } from './helpers';

test('an admin sets a callback URL, sees failed attempts, and replays a delivery', async ({
  browser,
}) => {
  test.skip(!process.env.E2E_WORKER, 'needs the built trainer worker');
  let status = 500;
  let secret = '';
  const received: { id: string; verified: boolean }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      let verified = true;
      try {
        new Webhook(secret).verify(body, headers);
      } catch {
        verified = false;
      }
      received.push({ id: headers['webhook-id'], verified });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  try {
    const page = await userPage(browser, 'admin@ganmod.local');
    await page.goto('/admin/api-keys');
    await page.getByLabel('API key').selectOption({ label: 'E2E platform key' });
    await page.getByLabel('Callback URL').fill('http://example.com/hooks');
    await page.getByRole('button', { name: 'Save URL' }).click();
    await expect(page.getByText('The callback URL must use https')).toBeVisible();
    await page.getByLabel('Callback URL').fill(url);
    await page.getByRole('button', { name: 'Save URL' }).click();
    const row = page
      .getByTestId('webhook-endpoints')
      .getByRole('row', { name: /E2E platform key/ });
    await expect(row).toContainText(url);
    await row.getByRole('button', { name: 'Show secret' }).click();
    secret = (await page.getByTestId('webhook-secret-value').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);

    // A submission scored by the policy: its submission.scored event goes to the receiver.
    await submitItems([
      { externalId: 'hook-1', caption: 'a post the platform wants news of', seed: 9 },
    ]);
    const db = createDb(`file:${join(process.env.E2E_DATA_DIR ?? '', 'ganmod.db')}`);
    const item = await db.contentItem.findFirstOrThrow({ where: { externalId: 'hook-1' } });
    await scoreContentItem(db, item, {
      action: 'ALLOW',
      policyVersion: 'e2e',
      reasons: [],
      scores: [],
      reasonCode: 'policy.allow',
      note: null,
    });
    const event = await db.webhookEvent.findFirstOrThrow({ where: { itemId: item.id } });
    await db.$disconnect();

    await page.goto('/admin/webhooks');
    const delivery = page.locator(`[data-delivery="${event.id}"]`);
    await expect(delivery).toContainText('HTTP 500', { timeout: 30_000 });
    await expect(delivery).toContainText('pending');
    status = 200;
    await expect(delivery).toContainText('delivered', { timeout: 60_000 });
    const before = received.filter((r) => r.id === event.id).length;

    await delivery.getByRole('button', { name: 'Replay' }).click();
    await expect
      .poll(() => received.filter((r) => r.id === event.id).length, { timeout: 30_000 })
      .toBe(before + 1);
    expect(received.every((r) => r.verified)).toBe(true);
    await expect(delivery).toContainText('delivered');
    await expect(delivery.getByTestId('attempts')).toHaveText('1');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
