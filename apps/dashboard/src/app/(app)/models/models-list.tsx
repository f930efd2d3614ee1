'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { PageHeader } from '~/components/page-header';
import { Badge } from '~/components/ui/badge';
import { Card } from '~/components/ui/card';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { utc } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

/** Detector models moderation can use, with the run each came from. */
export function ModelsList() {
  const trpc = useTRPC();
  const models = useQuery(trpc.runs.models.queryOptions());
  return (
    <div>
      <PageHeader
        title="Detector models"
        description="Models promoted from training runs into moderation. One active model per kind."
      />
      <Card>
        <Table>
          <THead>
            <Tr>
              <Th>Name</Th>
              <Th>Kind</Th>
              <Th>Source run</Th>
              <Th>Status</Th>
              <Th>Created (UTC)</Th>
            </Tr>
          </THead>
          <TBody>
            {models.data?.map((m) => (
              <Tr key={m.id}>
                <Td className="font-medium">{m.name}</Td>
                <Td className="text-xs">{m.kind.toLowerCase().replace('_', ' ')}</Td>
                <Td>
                  {m.sourceRun ? (
                    <Link
                      className="text-indigo-600 hover:underline"
                      href={`/runs/${m.sourceRun.id}`}
                    >
                      {m.sourceRun.name}
                    </Link>
                  ) : (
                    '—'
                  )}
                  {m.sourceStep !== null ? (
                    <span className="text-xs text-muted-foreground"> @ {m.sourceStep}</span>
                  ) : null}
                </Td>
                <Td>{m.active ? <Badge tone="green">active</Badge> : <Badge>inactive</Badge>}</Td>
                <Td className="text-xs">{utc(m.createdAt)}</Td>
              </Tr>
            ))}
            {models.data?.length === 0 ? (
              <Tr>
                <Td colSpan={5} className="py-8 text-center text-sm text-muted-foreground">
                  No detector models yet.
                </Td>
              </Tr>
            ) : null}
          </TBody>
        </Table>
      </Card>
    </div>
  );
}
