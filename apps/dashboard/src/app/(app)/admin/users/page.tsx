import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { UsersAdmin } from './users-admin';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const me = await requireUser(access.admin);
  return <UsersAdmin myId={me.id} />;
}
