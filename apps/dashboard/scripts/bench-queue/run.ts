// The queue benchmark's body (see scripts/bench-queue.mjs, which sets BENCH_QUEUE_*): seed, then
// time reviewQueue.list and reviewQueue.categories per sort and filter, and the page's opening
// calls together (list, categories, claimNext and the claimed item); prints a table and a JSON line.
import { performance } from 'node:perf_hooks';
import { it } from 'vitest';
import { appRouter } from '~/server/root';
import { createCallerFactory } from '~/server/trpc';
import { createDb, migrate, type Db } from '@ganmod/db';
import { createTempDb, type Provider } from '../../test/support/temp-db';
import { createRoleUsers } from '../../test/support/users';
import { seedQueue } from './seed';

const total = Number(process.env.BENCH_QUEUE_ITEMS ?? 1_000_000);
const inReview = Number(process.env.BENCH_QUEUE_PENDING ?? 100_000);
const runs = Number(process.env.BENCH_QUEUE_RUNS ?? 20);
const provider = (process.env.BENCH_QUEUE_PROVIDER ?? 'sqlite') as Provider;
/** A database to keep (--database-url): seeding resumes where a previous run stopped. */
const keptUrl = process.env.BENCH_QUEUE_DATABASE_URL;

/** A throwaway database, or the kept one (never dropped). */
async function benchDb(): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  if (!keptUrl) return createTempDb('bench-queue', provider);
  await migrate(keptUrl);
  const db = createDb(keptUrl);
  return { db, cleanup: () => db.$disconnect() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

it(`review queue: ${total} items, ${inReview} in review, on ${provider}`, async () => {
  const t = await benchDb();
  try {
    const users = (await t.db.user.count()) === 0 ? await createRoleUsers(t.db) : null;
    const moderator = users?.MODERATOR ?? {
      ...(await t.db.user.findFirstOrThrow({
        where: { role: 'MODERATOR' },
        select: { id: true, email: true, name: true },
      })),
      role: 'MODERATOR' as const,
    };
    const caller = createCallerFactory(appRouter)({ db: t.db, user: moderator });
    const seedStart = performance.now();
    // A kept database resumes after the items it already has (each chunk is one transaction).
    const seeded = await t.db.contentItem.count({ where: { id: { startsWith: 'bench-' } } });
    await seedQueue(t.db, provider, {
      total,
      inReview,
      from: seeded,
      start: Date.now() - total * 1000,
      onProgress: (n) => {
        if (n % 100_000 === 0 || n === total) {
          const seconds = (performance.now() - seedStart) / 1000;
          process.stderr.write(`seeded ${n} items (${seconds.toFixed(0)} s)\n`);
        }
      },
    });
    // Planner statistics, as autovacuum (PostgreSQL) or a long-lived database would have them;
    // right after a bulk load PostgreSQL has none and scans whole tables. PostgreSQL also VACUUMs,
    // as its autovacuum does after inserts: it sets the visibility map, without which every COUNT
    // visits each heap page holding a matching row (130 ms for the 100k in review at 1M items).
    await t.db.$executeRawUnsafe(provider === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE');
    const counts = await t.db.contentItem.groupBy({ by: ['status'], _count: true });
    const seedSeconds = (performance.now() - seedStart) / 1000;

    type ListInput = Parameters<typeof caller.reviewQueue.list>[0];
    const cases: [string, () => Promise<unknown>][] = [];
    for (const sort of ['oldest', 'newest', 'score'] as const) {
      const filters: [string, ListInput][] = [
        ['all', {}],
        ['category=spam', { category: 'spam' }],
        ['minScore=0.8', { minScore: 0.8 }],
        ['older than 1 day', { olderThanMinutes: 1440 }],
        ['page 10', { offset: 900 }],
      ];
      for (const [name, filter] of filters) {
        cases.push([`list ${sort} ${name}`, () => caller.reviewQueue.list({ sort, ...filter })]);
      }
      // The page: what /queue asks for when it opens, at once (the list with its count, the
      // categories, the first item nobody holds claimed, and that item).
      for (const [name, filter] of filters.slice(0, 4)) {
        cases.push([
          `page ${sort} ${name}`,
          async () => {
            const { offset: _offset, ...view } = filter;
            const [, , next] = await Promise.all([
              caller.reviewQueue.list({ sort, ...filter }),
              caller.reviewQueue.categories(),
              caller.reviewQueue.claimNext({ sort, ...view }),
            ]);
            if (next.id) await caller.reviewQueue.item({ id: next.id });
          },
        ]);
      }
    }
    cases.push(['list unscored', () => caller.reviewQueue.list({ view: 'unscored' })]);
    cases.push(['list escalated', () => caller.reviewQueue.list({ view: 'escalated' })]);
    cases.push(['categories', () => caller.reviewQueue.categories()]);

    const results = [];
    for (const [name, call] of cases) {
      await call(); // warm-up
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        await call();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      results.push({ name, p50: percentile(times, 50), p95: percentile(times, 95) });
    }
    const sample = (await caller.reviewQueue.list({})) as { total: number };
    const lines = [
      `review queue on ${provider}: ${total} items (${counts.map((c) => `${c.status} ${c._count}`).join(', ')}), 4 scores per scored item; seeded in ${seedSeconds.toFixed(0)} s; ${runs} runs per case`,
      `"Needs review" count: ${sample.total}`,
      `${'case'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`,
      ...results.map(
        (r) =>
          `${r.name.padEnd(34)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}`,
      ),
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    process.stdout.write(
      `${JSON.stringify({ provider, total, inReview: sample.total, seedSeconds, runs, results })}\n`,
    );
  } finally {
    await t.cleanup();
  }
});
