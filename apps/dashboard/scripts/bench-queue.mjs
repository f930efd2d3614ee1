#!/usr/bin/env node
// Benchmark of the review queue at depth: seeds a throwaway database (SQLite by default, or a
// fresh database on a PostgreSQL server) with --items content items, --pending of them awaiting
// review (IN_REVIEW, 4 detector scores each, like the pipeline leaves them) and the rest PENDING,
// ESCALATED or decided, then times the queue's tRPC procedures (reviewQueue.list, which returns the page and its exact
// count, and reviewQueue.categories) for each sort and filter, and prints p50/p95 per case.
// Run on demand, not in CI:
//   pnpm --filter @ganmod/dashboard bench:queue [--items 1000000] [--pending 100000]
//     [--provider sqlite|postgres] [--postgres-url postgresql://...] [--runs 20]
//     [--database-url file:/path/to/bench.db]
// --database-url keeps the database (never dropped) and resumes seeding after the items it has, so
// a second run (e.g. after a query change) times the same data without seeding it again.
// Seeding is multi-row INSERTs in transactions (scripts/bench-queue/seed.ts, which says what the
// data looks like): 1M items and 4M score rows in about 1.5 min (SQLite) to 3 min (PostgreSQL).
// The procedures run in-process through the tRPC caller, as the tests call them: this script
// hands its flags to scripts/bench-queue/run.ts, run by Vitest for the dashboard's TypeScript
// path aliases.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    pending: { type: 'string', default: '100000' },
    provider: { type: 'string', default: 'sqlite' },
    'postgres-url': { type: 'string' },
    runs: { type: 'string', default: '20' },
    'database-url': { type: 'string' },
  },
});
const items = Number(values.items);
const pending = Number(values.pending);
const runs = Number(values.runs);
const problems = [
  ...(Number.isInteger(items) && items > 0 ? [] : [`--items must be a positive integer`]),
  ...(Number.isInteger(pending) && pending >= 0 && pending <= items
    ? []
    : [`--pending must be an integer between 0 and --items`]),
  ...(Number.isInteger(runs) && runs > 0 ? [] : [`--runs must be a positive integer`]),
  ...(['sqlite', 'postgres'].includes(values.provider)
    ? []
    : [`--provider must be sqlite or postgres`]),
];
if (problems.length > 0) {
  process.stderr.write(`bench:queue: ${problems.join('; ')}\n`);
  process.exit(2);
}

const appDir = join(import.meta.dirname, '..');
const result = spawnSync(
  process.execPath,
  [
    join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs'),
    'run',
    '--config',
    join(appDir, 'scripts/bench-queue/vitest.config.mjs'),
    '--reporter=dot',
  ],
  {
    cwd: appDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      BENCH_QUEUE_ITEMS: String(items),
      BENCH_QUEUE_PENDING: String(pending),
      BENCH_QUEUE_RUNS: String(runs),
      BENCH_QUEUE_PROVIDER: values.provider,
      ...(values['postgres-url'] ? { TEST_POSTGRES_URL: values['postgres-url'] } : {}),
      ...(values['database-url'] ? { BENCH_QUEUE_DATABASE_URL: values['database-url'] } : {}),
    },
  },
);
process.exit(result.status ?? 1);
