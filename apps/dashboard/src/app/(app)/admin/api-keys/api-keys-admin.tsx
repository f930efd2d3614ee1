'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '~/components/error-text';
import { PageHeader } from '~/components/page-header';
import { Alert } from '~/components/ui/alert';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Field, Input } from '~/components/ui/input';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { timeAgo, utc } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

/** Admin: keys platforms use for `POST /api/v1/submissions`. A new key's secret is shown once. */
export function ApiKeysAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const errors = fieldErrors(create.error);

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    create.mutate(
      {
        name: (data.get('name') as string | null) ?? '',
        rateLimitPerMinute: Number(data.get('rate')),
      },
      {
        onSuccess: (key) => {
          setSecret({ name: key.name, secret: key.secret });
          setCopied(false);
          form.reset();
        },
      },
    );
  }

  return (
    <div className="space-y-4">
      <PageHeader
        title="API keys"
        description="Platforms submit content with these keys. Only a hash of each secret is stored."
      />
      <Card>
        <CardHeader>
          <CardTitle>Create a key</CardTitle>
        </CardHeader>
        <CardContent>
          <form
            onSubmit={onCreate}
            className="grid items-start gap-3 md:grid-cols-[1fr_12rem_auto]"
            noValidate
          >
            <Field label="Platform or integration" htmlFor="key-name" error={errors.name}>
              <Input
                id="key-name"
                name="name"
                placeholder="e.g. Photo app (production)"
                aria-invalid={!!errors.name}
              />
            </Field>
            <Field label="Requests per minute" htmlFor="key-rate" error={errors.rateLimitPerMinute}>
              <Input
                id="key-rate"
                name="rate"
                type="number"
                min={1}
                defaultValue={60}
                aria-invalid={!!errors.rateLimitPerMinute}
              />
            </Field>
            <Button type="submit" className="mt-6" disabled={create.isPending}>
              Create key
            </Button>
          </form>
          {secret ? (
            <Alert tone="warning" className="mt-3 space-y-2" data-testid="new-secret">
              <p>
                Secret for <strong>{secret.name}</strong>. Copy it now: it will not be shown again.
              </p>
              <div className="flex items-center gap-2">
                <code
                  className="flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs"
                  data-testid="secret-value"
                >
                  {secret.secret}
                </code>
                <Button
                  size="sm"
                  variant="outline"
                  onClick={() =>
                    void navigator.clipboard?.writeText(secret.secret).then(() => setCopied(true))
                  }
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              </div>
            </Alert>
          ) : null}
        </CardContent>
      </Card>
      {revoke.error ? <Alert tone="error">{revoke.error.message}</Alert> : null}
      <Card>
        <Table data-testid="api-keys">
          <THead>
            <Tr>
              <Th>Name</Th>
              <Th>Key starts with</Th>
              <Th>Limit</Th>
              <Th>Items</Th>
              <Th>Last used</Th>
              <Th>Created</Th>
              <Th />
            </Tr>
          </THead>
          <TBody>
            {keys.data?.map((k) => (
              <Tr key={k.id} className={k.revokedAt ? 'opacity-60' : undefined}>
                <Td className="font-medium">{k.name}</Td>
                <Td className="font-mono text-xs">{k.prefix}…</Td>
                <Td className="tabular-nums">{k.rateLimitPerMinute}/min</Td>
                <Td className="tabular-nums">{k._count.submittedItems}</Td>
                <Td className="text-xs text-muted-foreground">
                  {k.lastUsedAt ? timeAgo(k.lastUsedAt) : 'never'}
                </Td>
                <Td className="text-xs text-muted-foreground">
                  {utc(k.createdAt).slice(0, 10)} by {k.createdBy.name}
                </Td>
                <Td className="text-right">
                  {k.revokedAt ? (
                    <Badge tone="red">revoked {utc(k.revokedAt).slice(0, 10)}</Badge>
                  ) : (
                    <Button
                      size="sm"
                      variant="outline"
                      onClick={() => {
                        if (
                          window.confirm(
                            `Revoke "${k.name}"? Its platform will get 401 from now on.`,
                          )
                        )
                          revoke.mutate({ id: k.id });
                      }}
                    >
                      Revoke
                    </Button>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </Card>
    </div>
  );
}
