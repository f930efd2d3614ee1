'use client';

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '~/components/error-text';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Field, Input } from '~/components/ui/input';
import { useTRPC } from '~/trpc/client';

const MIN_LENGTH = 12;

/** Current password, new password twice; other sessions end when it changes. */
export function ChangePasswordForm() {
  const trpc = useTRPC();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const [done, setDone] = useState<string | null>(null);
  const errors = fieldErrors(change.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const value = (k: string) => (data.get(k) as string | null) ?? '';
    setDone(null);
    change.mutate(
      {
        currentPassword: value('currentPassword'),
        newPassword: value('newPassword'),
        confirmPassword: value('confirmPassword'),
      },
      {
        onSuccess: ({ revokedSessions, signedOut }) => {
          form.reset();
          if (signedOut) {
            window.location.assign('/sign-in');
            return;
          }
          setDone(
            revokedSessions === 0
              ? 'Password changed.'
              : `Password changed. ${revokedSessions} other session${revokedSessions === 1 ? ' was' : 's were'} signed out.`,
          );
        },
      },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Change password</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <Field label="Current password" htmlFor="current-password" error={errors.currentPassword}>
            <Input
              id="current-password"
              name="currentPassword"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={!!errors.currentPassword}
            />
          </Field>
          <Field
            label="New password"
            htmlFor="new-password"
            error={errors.newPassword}
            hint={`At least ${MIN_LENGTH} characters; a few unrelated words work well.`}
          >
            <Input
              id="new-password"
              name="newPassword"
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_LENGTH}
              aria-invalid={!!errors.newPassword}
            />
          </Field>
          <Field
            label="Confirm new password"
            htmlFor="confirm-password"
            error={errors.confirmPassword}
          >
            <Input
              id="confirm-password"
              name="confirmPassword"
              type="password"
              autoComplete="new-password"
              required
              aria-invalid={!!errors.confirmPassword}
            />
          </Field>
          {change.error && Object.keys(errors).length === 0 ? (
            <Alert tone="error">{change.error.message}</Alert>
          ) : null}
          {done ? <Alert tone="success">{done}</Alert> : null}
          <Button type="submit" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
