import type { Metadata } from 'next';
import { access } from '~/lib/roles';
import { requireUser } from '~/server/auth/session';
import { DecisionLog } from './decision-log';

export const metadata: Metadata = { title: 'Decision log' };

export default async function LogPage() {
  await requireUser(access.moderation);
  return <DecisionLog />;
}
