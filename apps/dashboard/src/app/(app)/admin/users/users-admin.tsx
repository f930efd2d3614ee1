'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmButton, ConfirmDialog } from '~/components/confirm-button';
import { fieldErrors } from '~/components/error-text';
import { PageHeader } from '~/components/page-header';
import { Alert } from '~/components/ui/alert';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Field, Input, Select } from '~/components/ui/input';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { utc } from '~/lib/format';
import { roleLabels, roles, type Role } from '~/lib/roles';
import { useTRPC } from '~/trpc/client';
import { RenameDialog, ResetPasswordDialog } from './user-dialogs';

/** Admin: create accounts, rename people, change roles, reset passwords, disable and re-enable. */
export function UsersAdmin({ myId }: { myId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: refresh }));
  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSuccess: refresh }));
  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions({ onSuccess: refresh }));
  const [created, setCreated] = useState<string | null>(null);
  // A role picked in a row's select, waiting for the admin's confirmation.
  const [roleChange, setRoleChange] = useState<{
    user: { id: string; name: string; email: string; role: string };
    role: Role;
  } | null>(null);
  const errors = fieldErrors(create.error);
  const rowError = setRole.error ?? setDisabled.error;

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const value = (k: string) => (data.get(k) as string | null) ?? '';
    create.mutate(
      {
        email: value('email'),
        name: value('name'),
        password: value('password'),
        role: value('role') as Role,
      },
      {
        onSuccess: (user) => {
          setCreated(`${user.name} can now sign in as ${user.email}.`);
          form.reset();
        },
      },
    );
  }

  return (
    <div className="space-y-4">
      <PageHeader
        title="Users"
        description="Admins do everything; engineers run training and models; moderators work the queue and log."
      />
      <Card>
        <CardHeader>
          <CardTitle>Add a user</CardTitle>
        </CardHeader>
        <CardContent>
          <form
            onSubmit={onCreate}
            className="grid items-start gap-3 md:grid-cols-[1fr_1fr_1fr_10rem_auto]"
            noValidate
          >
            <Field label="Name" htmlFor="new-name" error={errors.name}>
              <Input id="new-name" name="name" required aria-invalid={!!errors.name} />
            </Field>
            <Field label="Email" htmlFor="new-email" error={errors.email}>
              <Input
                id="new-email"
                name="email"
                type="email"
                required
                aria-invalid={!!errors.email}
              />
            </Field>
            <Field
              label="Initial password"
              htmlFor="new-password"
              error={errors.password}
              hint="At least 12 characters; share it privately."
            >
              <Input
                id="new-password"
                name="password"
                type="password"
                autoComplete="new-password"
                required
                aria-invalid={!!errors.password}
              />
            </Field>
            <Field label="Role" htmlFor="new-role">
              <Select id="new-role" name="role" defaultValue="MODERATOR">
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {roleLabels[r]}
                  </option>
                ))}
              </Select>
            </Field>
            <Button type="submit" className="mt-6" disabled={create.isPending}>
              Add user
            </Button>
          </form>
          {create.error && Object.keys(errors).length === 0 ? (
            <Alert tone="error" className="mt-3">
              {create.error.message}
            </Alert>
          ) : null}
          {created && !create.error ? (
            <Alert tone="success" className="mt-3">
              {created}
            </Alert>
          ) : null}
        </CardContent>
      </Card>
      {rowError ? <Alert tone="error">{rowError.message}</Alert> : null}
      <Card>
        <Table data-testid="users">
          <THead>
            <Tr>
              <Th>Name</Th>
              <Th>Email</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>Since</Th>
              <Th />
            </Tr>
          </THead>
          <TBody>
            {users.data?.map((u) => (
              <Tr key={u.id} className={u.disabled ? 'opacity-60' : undefined}>
                <Td className="font-medium">
                  {u.name} {u.id === myId ? <Badge>you</Badge> : null}
                </Td>
                <Td>{u.email}</Td>
                <Td>
                  <Select
                    aria-label={`Role of ${u.email}`}
                    className="h-8 w-36 text-xs"
                    value={u.role}
                    disabled={u.id === myId}
                    onChange={(e) => setRoleChange({ user: u, role: e.target.value as Role })}
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {roleLabels[r]}
                      </option>
                    ))}
                  </Select>
                </Td>
                <Td>
                  {u.disabled ? (
                    <Badge tone="red">disabled</Badge>
                  ) : (
                    <Badge tone="green">active</Badge>
                  )}
                </Td>
                <Td className="text-xs text-muted-foreground">{utc(u.createdAt).slice(0, 10)}</Td>
                <Td className="text-right">
                  <div className="flex justify-end gap-2">
                    <RenameDialog user={u} />
                    {u.id === myId ? null : (
                      <>
                        <ResetPasswordDialog user={u} />
                        {u.disabled ? (
                          <Button
                            size="sm"
                            variant="outline"
                            onClick={() => setDisabled.mutate({ userId: u.id, disabled: false })}
                          >
                            Enable
                          </Button>
                        ) : (
                          <ConfirmButton
                            size="sm"
                            variant="outline"
                            title={`Disable ${u.name}?`}
                            description={`${u.email} is signed out everywhere at once and cannot sign in until an admin enables the account again.`}
                            confirmLabel="Disable"
                            onConfirm={() => setDisabled.mutate({ userId: u.id, disabled: true })}
                          >
                            Disable
                          </ConfirmButton>
                        )}
                      </>
                    )}
                  </div>
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </Card>
      <ConfirmDialog
        open={roleChange !== null}
        onOpenChange={(open) => {
          if (!open) setRoleChange(null);
        }}
        title={roleChange ? `Make ${roleChange.user.name} ${roleLabels[roleChange.role]}?` : ''}
        description={
          roleChange
            ? `${roleChange.user.email} goes from ${roleLabels[roleChange.user.role as Role]} to ${roleLabels[roleChange.role]}: what they can see and do changes on their next request.`
            : ''
        }
        confirmLabel="Change role"
        onConfirm={() => {
          if (roleChange) setRole.mutate({ userId: roleChange.user.id, role: roleChange.role });
        }}
      />
    </div>
  );
}
