import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { RunView } from './run-view';

export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser(access.engineering);
  const { id } = await params;
  return <RunView id={id} isAdmin={user.role === 'ADMIN'} />;
}
