'use client';

import { useQuery } from '@tanstack/react-query';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { PageHeader } from '~/components/page-header';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '~/components/ui/card';
import { Table, TBody, Td, Th, THead, Tr } from '~/components/ui/table';
import { percent, timeAgo } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

/** Queue depth, throughput per hour, and how well each detector agrees with moderators. */
export function StatsView() {
  const trpc = useTRPC();
  const stats = useQuery(
    trpc.reviewQueue.stats.queryOptions(undefined, { refetchInterval: 15_000 }),
  );
  const s = stats.data;
  const hours = s?.decisionsPerHour.map((h) => ({ ...h, label: h.hour.slice(11, 16) })) ?? [];
  return (
    <div className="space-y-4">
      <PageHeader
        title="Moderation stats"
        description="Last 24 hours of decisions, queue depth, and detector agreement with moderators."
      />
      <div className="grid gap-3 sm:grid-cols-4">
        {[
          { label: 'In review', value: s?.depth.inReview },
          { label: 'Unscored', value: s?.depth.pending },
          { label: 'Escalated', value: s?.depth.escalated },
          {
            label: 'Oldest waiting',
            value: s ? (s.oldestWaitingSince ? timeAgo(s.oldestWaitingSince) : 'none') : undefined,
          },
        ].map((t) => (
          <Card key={t.label}>
            <CardHeader>
              <CardDescription>{t.label}</CardDescription>
              <CardTitle className="text-2xl tabular-nums">{t.value ?? '…'}</CardTitle>
            </CardHeader>
          </Card>
        ))}
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Decisions per hour</CardTitle>
          <CardDescription>
            {s ? `${s.decisionsLast24h} moderator decisions in the last 24 h (UTC hours)` : ' '}
          </CardDescription>
        </CardHeader>
        <CardContent className="h-64">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={hours}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" fontSize={11} />
              <YAxis allowDecimals={false} fontSize={11} width={32} />
              <Tooltip />
              <Legend />
              <Bar dataKey="APPROVE" name="approve" stackId="a" fill="#16a34a" />
              <Bar dataKey="REMOVE" name="remove" stackId="a" fill="#dc2626" />
              <Bar dataKey="ESCALATE" name="escalate" stackId="a" fill="#7c3aed" />
            </BarChart>
          </ResponsiveContainer>
        </CardContent>
      </Card>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Detector agreement with moderators</CardTitle>
            <CardDescription>
              Per item&apos;s latest approve/remove: a detector agrees when (score ≥ 0.5) matches
              &quot;removed&quot;.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <Table data-testid="agreement">
              <THead>
                <Tr>
                  <Th>Detector</Th>
                  <Th>Agreement</Th>
                  <Th>Flagged, approved</Th>
                  <Th>Missed, removed</Th>
                  <Th>Items</Th>
                </Tr>
              </THead>
              <TBody>
                {s?.agreement.map((a) => (
                  <Tr key={a.detector}>
                    <Td className="font-medium">{a.detector}</Td>
                    <Td className="tabular-nums">{percent(a.rate)}</Td>
                    <Td className="tabular-nums">{a.falsePositive}</Td>
                    <Td className="tabular-nums">{a.missed}</Td>
                    <Td className="tabular-nums">{a.total}</Td>
                  </Tr>
                ))}
                {s && s.agreement.length === 0 ? (
                  <Tr>
                    <Td colSpan={5} className="text-center text-sm text-muted-foreground">
                      No scored items have been decided yet.
                    </Td>
                  </Tr>
                ) : null}
              </TBody>
            </Table>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Decisions by moderator (24 h)</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="space-y-1 text-sm">
              {s?.byModerator.map((m) => (
                <li key={m.id} className="flex justify-between">
                  <span>{m.name}</span>
                  <span className="tabular-nums">{m.count}</span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
