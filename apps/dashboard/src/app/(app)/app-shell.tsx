'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { cn } from '~/components/ui/cn';
import { authClient } from '~/lib/auth-client';
import { access, hasRole, roleLabels, type Role } from '~/lib/roles';

const nav: { href: string; label: string; roles: readonly Role[]; section: string }[] = [
  { href: '/', label: 'Overview', roles: access.anyone, section: '' },
  { href: '/queue', label: 'Review queue', roles: access.moderation, section: 'Moderation' },
  { href: '/log', label: 'Decision log', roles: access.moderation, section: 'Moderation' },
  { href: '/stats', label: 'Stats', roles: access.moderation, section: 'Moderation' },
  { href: '/bank', label: 'Hash bank', roles: access.moderation, section: 'Moderation' },
  { href: '/runs', label: 'Training runs', roles: access.engineering, section: 'Training' },
  { href: '/runs/new', label: 'Launch a run', roles: access.engineering, section: 'Training' },
  { href: '/models', label: 'Detector models', roles: access.engineering, section: 'Training' },
  { href: '/admin/users', label: 'Users', roles: access.admin, section: 'Admin' },
  { href: '/admin/api-keys', label: 'API keys', roles: access.admin, section: 'Admin' },
  { href: '/admin/webhooks', label: 'Webhooks', roles: access.admin, section: 'Admin' },
];

function isActive(pathname: string, href: string): boolean {
  if (href === '/') return pathname === '/';
  if (href === '/runs')
    return (
      pathname === '/runs' || (pathname.startsWith('/runs/') && !pathname.startsWith('/runs/new'))
    );
  return pathname === href || pathname.startsWith(`${href}/`);
}

/** Sidebar with the sections the user's role can open, and the signed-in user at the bottom. */
export function AppShell({
  user,
  children,
}: {
  user: { name: string; email: string; role: Role };
  children: ReactNode;
}) {
  const pathname = usePathname();
  const items = nav.filter((n) => hasRole(user.role, n.roles));
  const sections = [...new Set(items.map((i) => i.section))];
  return (
    <div className="flex min-h-full">
      <aside className="sticky top-0 flex h-screen w-56 shrink-0 flex-col border-r border-border bg-background">
        <Link href="/" className="flex items-center gap-2 px-4 py-4">
          <span className="flex h-7 w-7 items-center justify-center rounded-md bg-primary text-sm font-bold text-primary-foreground">
            g
          </span>
          <span className="font-semibold">ganmod</span>
        </Link>
        <nav className="flex-1 space-y-4 overflow-y-auto px-2" aria-label="Main">
          {sections.map((section) => (
            <div key={section || 'top'}>
              {section ? (
                <p className="px-2 pb-1 text-[11px] font-medium uppercase tracking-wide text-muted-foreground">
                  {section}
                </p>
              ) : null}
              {items
                .filter((i) => i.section === section)
                .map((i) => (
                  <Link
                    key={i.href}
                    href={i.href}
                    className={cn(
                      'block rounded-md px-2 py-1.5 text-sm text-muted-foreground hover:bg-muted hover:text-foreground',
                      isActive(pathname, i.href) && 'bg-muted font-medium text-foreground',
                    )}
                  >
                    {i.label}
                  </Link>
                ))}
            </div>
          ))}
        </nav>
        <div className="border-t border-border p-3">
          <p className="truncate text-sm font-medium" data-testid="current-user">
            {user.name}
          </p>
          <p className="truncate text-xs text-muted-foreground">
            {user.email} · {roleLabels[user.role]}
          </p>
          <div className="mt-2 flex gap-3 text-xs">
            <Link
              href="/account"
              className={cn(
                'text-indigo-600 hover:underline',
                isActive(pathname, '/account') && 'font-medium',
              )}
            >
              Account
            </Link>
            <button
              type="button"
              className="text-indigo-600 hover:underline"
              onClick={() =>
                void authClient.signOut().then(() => window.location.assign('/sign-in'))
              }
            >
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="min-w-0 flex-1 p-6">{children}</main>
    </div>
  );
}
