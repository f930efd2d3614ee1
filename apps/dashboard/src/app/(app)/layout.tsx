import type { ReactNode } from 'react';
import { requireUser } from '~/server/auth/session';
import { AppShell } from './app-shell';

export const dynamic = 'force-dynamic';

/** Every page inside needs a signed-in, enabled user; pages narrow further by role. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const { name, email, role } = await requireUser();
  return <AppShell user={{ name, email, role }}>{children}</AppShell>;
}
