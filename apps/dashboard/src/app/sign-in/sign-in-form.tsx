'use client';

import { useState, type FormEvent } from 'react';
import { authClient } from '~/lib/auth-client';
import { safeNextPath } from '~/lib/safe-next-path';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Card, CardContent } from '~/components/ui/card';
import { Field, Input } from '~/components/ui/input';

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.signIn.email({
      email: (form.get('email') as string | null) ?? '',
      password: (form.get('password') as string | null) ?? '',
    });
    if (failure) {
      setPending(false);
      setError(failure.message ?? 'Could not sign in.');
      return;
    }
    // A full navigation so server components see the new cookie; `next` is checked again here
    // because this is where the browser acts on it.
    window.location.assign(safeNextPath(next));
  }

  return (
    <Card>
      <CardContent className="p-5">
        <form onSubmit={(e) => void onSubmit(e)} className="space-y-4">
          {error ? <Alert tone="error">{error}</Alert> : null}
          <Field label="Email" htmlFor="email">
            <Input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
            />
          </Field>
          <Field label="Password" htmlFor="password">
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
            />
          </Field>
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
