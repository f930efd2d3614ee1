import type { Metadata } from 'next';
import { PageHeader } from '~/components/page-header';
import { roleLabels } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { ChangePasswordForm } from './change-password-form';

export const metadata: Metadata = { title: 'Account' };

/** Every signed-in user: who they are, and their password. Names and roles are set by admins. */
export default async function AccountPage() {
  const me = await requireUser();
  return (
    <div className="max-w-xl space-y-4">
      <PageHeader
        title="Account"
        description={
          <>
            {me.name} · {me.email} · {roleLabels[me.role]}. Ask an admin to change your name or
            role.
          </>
        }
      />
      <ChangePasswordForm />
    </div>
  );
}
