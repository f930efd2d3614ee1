import Link from 'next/link';
import { access, hasRole } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { PageHeader } from '~/components/page-header';
import { StatusPanel } from './status-panel';

export default async function OverviewPage() {
  const user = await requireUser();
  return (
    <div>
      <PageHeader
        title={`Hello, ${user.name.split(' ')[0] ?? user.name}`}
        description="Train GANs on image sets; moderate what people post."
      />
      <StatusPanel />
      <div className="mt-6 flex flex-wrap gap-3 text-sm">
        {hasRole(user.role, access.moderation) ? (
          <Link
            className="rounded-md border border-border bg-background px-4 py-3 shadow-sm hover:bg-muted"
            href="/queue"
          >
            Open the review queue →
          </Link>
        ) : null}
        {hasRole(user.role, access.engineering) ? (
          <Link
            className="rounded-md border border-border bg-background px-4 py-3 shadow-sm hover:bg-muted"
            href="/runs/new"
          >
            Launch a training run →
          </Link>
        ) : null}
      </div>
    </div>
  );
}
