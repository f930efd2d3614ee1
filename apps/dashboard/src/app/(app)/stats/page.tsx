import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { StatsView } from './stats-view';

export const metadata: Metadata = { title: 'Moderation stats' };

export default async function StatsPage() {
  await requireUser(access.moderation);
  return <StatsView />;
}
