import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { ModelsList } from './models-list';

export const metadata: Metadata = { title: 'Detector models' };

export default async function ModelsPage() {
  await requireUser(access.engineering);
  return <ModelsList />;
}
