'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '~/components/error-text';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Dialog, DialogClose, DialogContent, DialogTrigger } from '~/components/ui/dialog';
import { Field, Input } from '~/components/ui/input';
import { useTRPC } from '~/trpc/client';

interface Person {
  id: string;
  name: string;
  email: string;
}

/**
 * "Reset password": after a confirmation, sets a new password for `user` (typed, or generated
 * when left empty, then shown this once) and signs them out everywhere.
 */
export function ResetPasswordDialog({ user }: { user: Person }) {
  const trpc = useTRPC();
  const reset = useMutation(trpc.users.resetPassword.mutationOptions());
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState(false);
  const errors = fieldErrors(reset.error);

  function onOpenChange(next: boolean) {
    setOpen(next);
    // Closing forgets the shown password: it is never displayed again.
    if (!next) reset.reset();
    setCopied(false);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = (new FormData(event.currentTarget).get('password') as string | null) ?? '';
    reset.mutate({ userId: user.id, ...(password ? { password } : {}) });
  }

  const result = reset.data;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          Reset password
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Reset the password of ${user.name}?`}
        description={`${user.email} will be signed out everywhere and need the new password to sign in.`}
      >
        {result ? (
          <div className="space-y-3">
            {result.generatedPassword ? (
              <Alert tone="warning" className="space-y-2" data-testid="reset-password-result">
                <p>New password for {result.email}. Copy it now: it will not be shown again.</p>
                <div className="flex items-center gap-2">
                  <code
                    className="flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs"
                    data-testid="reset-password-value"
                  >
                    {result.generatedPassword}
                  </code>
                  <Button
                    size="sm"
                    variant="outline"
                    onClick={() =>
                      void navigator.clipboard
                        ?.writeText(result.generatedPassword ?? '')
                        .then(() => setCopied(true))
                    }
                  >
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                </div>
              </Alert>
            ) : (
              <Alert tone="success" data-testid="reset-password-result">
                {result.email} now signs in with the password you typed.
              </Alert>
            )}
            <p className="text-xs text-muted-foreground">
              {result.revokedSessions === 1
                ? '1 session was signed out.'
                : `${result.revokedSessions} sessions were signed out.`}
            </p>
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </div>
          </div>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            <Field
              label="New password"
              htmlFor={`reset-${user.id}`}
              error={errors.password}
              hint="Leave empty to generate a strong one; otherwise at least 12 characters."
            >
              <Input
                id={`reset-${user.id}`}
                name="password"
                type="password"
                autoComplete="new-password"
                aria-invalid={!!errors.password}
              />
            </Field>
            {reset.error && !errors.password ? (
              <Alert tone="error">{reset.error.message}</Alert>
            ) : null}
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button variant="outline" type="button">
                  Cancel
                </Button>
              </DialogClose>
              <Button type="submit" variant="destructive" disabled={reset.isPending}>
                Reset password
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

/** "Rename": admins set display names (people cannot rename themselves). */
export function RenameDialog({ user }: { user: Person }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const rename = useMutation(
    trpc.users.rename.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(rename.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = (new FormData(event.currentTarget).get('name') as string | null) ?? '';
    rename.mutate({ userId: user.id, name });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) rename.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          Rename
        </Button>
      </DialogTrigger>
      <DialogContent title={`Rename ${user.email}`}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <Field label="Display name" htmlFor={`rename-${user.id}`} error={errors.name}>
            <Input
              id={`rename-${user.id}`}
              name="name"
              defaultValue={user.name}
              maxLength={100}
              aria-invalid={!!errors.name}
            />
          </Field>
          {rename.error && !errors.name ? <Alert tone="error">{rename.error.message}</Alert> : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline" type="button">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={rename.isPending}>
              Save
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
