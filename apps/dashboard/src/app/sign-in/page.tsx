import type { Metadata } from 'next';
import { safeNextPath } from '~/lib/safe-next-path';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string }>;
}) {
  const { next } = await searchParams;
  // Only same-origin paths: never bounce a user to another origin after sign-in.
  const target = safeNextPath(next);
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-10 w-10 items-center justify-center rounded-lg bg-primary text-lg font-bold text-primary-foreground">
            g
          </div>
          <h1 className="text-xl font-semibold">Sign in to ganmod</h1>
          <p className="mt-1 text-sm text-muted-foreground">
            Review flagged content and train models.
          </p>
        </div>
        <SignInForm next={target} />
      </div>
    </main>
  );
}
