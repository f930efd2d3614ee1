import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { WebhookDeliveries } from './webhook-deliveries';

export const metadata: Metadata = { title: 'Webhook deliveries' };

export default async function WebhookDeliveriesPage() {
  await requireUser(access.admin);
  return <WebhookDeliveries />;
}
