'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Alert } from '~/components/ui/alert';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Field, Input, Select } from '~/components/ui/input';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { utc } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

/**
 * Admin: per API key, the webhook callback URL and its signing secret (revealed on request,
 * rotated with a 24 h grace during which both sign).
 */
export function WebhookEndpoints() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const endpoints = useQuery(trpc.webhooks.endpoints.queryOptions());
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.webhooks.endpoints.queryKey() });
  const setUrl = useMutation(trpc.webhooks.setUrl.mutationOptions({ onSuccess: refresh }));
  const clear = useMutation(trpc.webhooks.clear.mutationOptions({ onSuccess: refresh }));
  const reveal = useMutation(trpc.webhooks.revealSecret.mutationOptions());
  const rotate = useMutation(trpc.webhooks.rotateSecret.mutationOptions({ onSuccess: refresh }));
  const [shown, setShown] = useState<{ apiKeyId: string; secret: string; note: string } | null>(
    null,
  );
  const active = keys.data?.filter((k) => !k.revokedAt) ?? [];
  const nameOf = (id: string) => keys.data?.find((k) => k.id === id)?.name ?? id;
  const error = setUrl.error ?? clear.error ?? reveal.error ?? rotate.error;

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setUrl.mutate({
      apiKeyId: (data.get('apiKeyId') as string | null) ?? '',
      url: (data.get('url') as string | null) ?? '',
    });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Webhooks</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <p className="text-sm text-muted-foreground">
          The worker POSTs <code>submission.scored</code>, <code>submission.decided</code> and{' '}
          <code>submission.refused</code> to a key&apos;s callback URL, signed per Standard
          Webhooks. See{' '}
          <Link href="/admin/webhooks" className="underline">
            deliveries
          </Link>
          .
        </p>
        <form
          onSubmit={onSave}
          className="grid items-start gap-3 md:grid-cols-[14rem_1fr_auto]"
          noValidate
        >
          <Field label="API key" htmlFor="webhook-key">
            <Select id="webhook-key" name="apiKeyId">
              {active.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Callback URL" htmlFor="webhook-url">
            <Input
              id="webhook-url"
              name="url"
              placeholder="https://platform.example.com/hooks/ganmod"
            />
          </Field>
          <Button type="submit" className="mt-6" disabled={setUrl.isPending || active.length === 0}>
            Save URL
          </Button>
        </form>
        {error ? <Alert tone="error">{error.message}</Alert> : null}
        {shown ? (
          <Alert tone="warning" data-testid="webhook-secret">
            <p>
              Signing secret for <strong>{nameOf(shown.apiKeyId)}</strong>. {shown.note}
            </p>
            <code className="block break-all font-mono text-xs" data-testid="webhook-secret-value">
              {shown.secret}
            </code>
          </Alert>
        ) : null}
        <Table data-testid="webhook-endpoints">
          <THead>
            <Tr>
              <Th>Key</Th>
              <Th>Callback URL</Th>
              <Th>State</Th>
              <Th />
            </Tr>
          </THead>
          <TBody>
            {endpoints.data?.map((e) => (
              <Tr key={e.apiKeyId}>
                <Td className="font-medium">{nameOf(e.apiKeyId)}</Td>
                <Td className="break-all font-mono text-xs">{e.url}</Td>
                <Td className="space-y-1 text-xs">
                  {e.enabled ? (
                    <Badge tone="green">enabled</Badge>
                  ) : (
                    <>
                      <Badge tone="red">disabled</Badge>
                      <p data-testid="disabled-reason">{e.disabledReason}</p>
                    </>
                  )}
                  {e.consecutiveFailures > 0 ? (
                    <p>{e.consecutiveFailures} failed attempts in a row</p>
                  ) : null}
                  {e.rotating && e.previousSecretExpiresAt ? (
                    <p>old secret signs too until {utc(e.previousSecretExpiresAt)}</p>
                  ) : null}
                </Td>
                <Td className="space-x-1 whitespace-nowrap text-right">
                  <Button
                    size="sm"
                    variant="outline"
                    onClick={() =>
                      reveal.mutate(
                        { apiKeyId: e.apiKeyId },
                        {
                          onSuccess: ({ secret }) =>
                            setShown({ apiKeyId: e.apiKeyId, secret, note: 'Keep it secret.' }),
                        },
                      )
                    }
                  >
                    Show secret
                  </Button>
                  <Button
                    size="sm"
                    variant="outline"
                    onClick={() => {
                      if (
                        window.confirm(
                          'Rotate the signing secret? The old one signs for 24 h more.',
                        )
                      )
                        rotate.mutate(
                          { apiKeyId: e.apiKeyId },
                          {
                            onSuccess: ({ secret }) =>
                              setShown({
                                apiKeyId: e.apiKeyId,
                                secret,
                                note: 'New secret: the old one keeps signing for 24 hours, so switch before then.',
                              }),
                          },
                        );
                    }}
                  >
                    Rotate secret
                  </Button>
                  <Button
                    size="sm"
                    variant="outline"
                    onClick={() => {
                      if (window.confirm('Remove the callback URL and its delivery history?'))
                        clear.mutate({ apiKeyId: e.apiKeyId });
                    }}
                  >
                    Clear
                  </Button>
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </CardContent>
    </Card>
  );
}
