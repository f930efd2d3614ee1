import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { ApiKeysAdmin } from './api-keys-admin';
import { WebhookEndpoints } from './webhook-endpoints';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage() {
  await requireUser(access.admin);
  return (
    <div className="space-y-4">
      <ApiKeysAdmin />
      <WebhookEndpoints />
    </div>
  );
}
