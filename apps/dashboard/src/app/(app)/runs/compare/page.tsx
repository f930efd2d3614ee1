import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { CompareView } from './compare-view';

export const metadata: Metadata = { title: 'Compare runs' };

export default async function ComparePage({
  searchParams,
}: {
  searchParams: Promise<{ ids?: string }>;
}) {
  await requireUser(access.engineering);
  const ids = ((await searchParams).ids ?? '').split(',').filter(Boolean);
  return <CompareView ids={ids} />;
}
