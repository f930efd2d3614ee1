import type { Metadata } from 'next';
import { access, hasRole } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { BankView } from './bank-view';

export const metadata: Metadata = { title: 'Hash bank' };

/** The hash bank: moderators and admins; deleting and importing are for admins. */
export default async function BankPage() {
  const user = await requireUser(access.moderation);
  return <BankView isAdmin={hasRole(user.role, access.admin)} />;
}
