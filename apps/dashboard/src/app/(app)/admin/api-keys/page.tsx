import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { ApiKeysAdmin } from './api-keys-admin';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage() {
  await requireUser(access.admin);
  return <ApiKeysAdmin />;
}
