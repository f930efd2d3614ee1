#!/usr/bin/env node
// Load benchmark of the submission API: N multipart submissions (default 2000, 64 in flight) over
// loopback to a production build on a throwaway SQLite database. Checks that every submission is
// stored exactly once (a second pass re-submits every id and must create nothing) and that the
// server stays up; prints one JSON line with throughput and p50/p95/p99 latency.
// Usage: pnpm --filter @ganmod/dashboard build && node scripts/bench-submissions.mjs [--n 2000] [--concurrency 64]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, generateApiKey, migrate } from '@ganmod/db';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const n = Number(values.n);
const concurrency = Number(values.concurrency);
const appDir = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'ganmod-bench-'));
const url = `file:${join(dir, 'bench.db')}`;

// A small real PNG (1x1 grey), distinct bytes per item are not needed: storage is by content hash.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==',
  'base64',
);

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

await migrate(url);
const db = createDb(url);
const admin = await db.user.create({
  data: { id: 'bench-admin', name: 'Bench', email: 'bench@ganmod.local', role: 'ADMIN' },
});
const key = generateApiKey();
await db.apiKey.create({
  data: {
    name: 'bench',
    prefix: key.prefix,
    hash: key.hash,
    rateLimitPerMinute: 1_000_000,
    createdById: admin.id,
  },
});

const server = spawn(
  process.execPath,
  [join(appDir, 'dist/server.js'), '--hostname', '127.0.0.1', '--port', String(port)],
  {
    cwd: appDir,
    env: {
      ...process.env,
      DATABASE_URL: url,
      GANMOD_DATA_DIR: dir,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
      BETTER_AUTH_SECRET: 'bench-secret-bench-secret-bench-secret',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    await fetch(`${base}/api/health`);
    break;
  } catch {
    if (i > 150) throw new Error('dashboard did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function submit(id) {
  const form = new FormData();
  form.set('externalId', `bench-${id}`);
  form.set('caption', `load test item ${id}`);
  form.set('image', new Blob([png], { type: 'image/png' }), 'x.png');
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.secret}` },
    body: form,
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

async function pass() {
  const results = [];
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) results.push(await submit(next++));
    }),
  );
  return { results, seconds: (performance.now() - startedAt) / 1000 };
}

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
try {
  const first = await pass();
  const second = await pass(); // every id again: must all answer 200 and create nothing
  const stored = await db.contentItem.count();
  const latencies = first.results.map((r) => r.ms).sort((a, b) => a - b);
  const count = (rs, s) => rs.filter((r) => r.status === s).length;
  const report = {
    n,
    concurrency,
    created201: count(first.results, 201),
    resubmitted200: count(second.results, 200),
    otherStatuses:
      first.results.length +
      second.results.length -
      count(first.results, 201) -
      count(second.results, 200),
    storedRows: stored,
    serverAlive: server.exitCode === null,
    requestsPerSec: Math.round((n / first.seconds) * 10) / 10,
    p50ms: Math.round(pct(latencies, 50)),
    p95ms: Math.round(pct(latencies, 95)),
    p99ms: Math.round(pct(latencies, 99)),
  };
  console.log(JSON.stringify(report));
  process.exitCode =
    report.created201 === n && report.resubmitted200 === n && stored === n && report.serverAlive
      ? 0
      : 1;
} finally {
  server.kill('SIGTERM');
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
}
