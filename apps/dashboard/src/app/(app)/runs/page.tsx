import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { RunsList } from './runs-list';

export const metadata: Metadata = { title: 'Training runs' };

export default async function RunsPage() {
  await requireUser(access.engineering);
  return <RunsList />;
}
