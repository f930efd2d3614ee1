import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { QueueView } from './queue-view';

export const metadata: Metadata = { title: 'Review queue' };

export default async function QueuePage() {
  const user = await requireUser(access.moderation);
  return <QueueView userId={user.id} />;
}
