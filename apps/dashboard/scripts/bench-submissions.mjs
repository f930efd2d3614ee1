#!/usr/bin/env node
// Load benchmark of the submission API: N multipart submissions (default 3000, 64 in flight) over
// loopback to the production build (dist/server.js) on a throwaway database: a SQLite file, or a
// fresh database on a PostgreSQL server, served by one or more instances (requests go round-robin).
// Checks that every submission is stored exactly once (a second pass re-submits every id and must
// create nothing) and that the servers stay up; prints throughput, p50/p95/p99 latency and where
// the server spent the time of a request (its `Server-Timing` stages: mean and p95 per stage; the
// rest of the latency is HTTP, Next's routing and the client), then one JSON line.
// Usage (after a build):
//   node scripts/bench-submissions.mjs [--n 3000] [--concurrency 64] [--provider sqlite|postgres]
//     [--instances 1] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres] [--app-dir DIR]
//     [--server-profile DIR] [--warmup 500] [--distinct-images]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, generateApiKey, migrate } from '@ganmod/db';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '64' },
    provider: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '1' },
    // Submissions posted (and stored) before the measured pass: a server that has just started
    // runs its first requests through unoptimised code, which is not its steady state.
    warmup: { type: 'string', default: '500' },
    // Each submission with its own image (a PNG with the id after its end), as real posts are:
    // every one is written to disk. By default all share one image, which is stored once.
    'distinct-images': { type: 'boolean', default: false },
    'postgres-url': {
      type: 'string',
      default: process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
    'app-dir': { type: 'string' },
    // Writes each server's CPU profile (.cpuprofile, open in Chrome DevTools) into this directory.
    'server-profile': { type: 'string' },
  },
});
const n = Number(values.n);
const concurrency = Number(values.concurrency);
const instanceCount = Number(values.instances);
const warmup = Number(values.warmup);
const provider = values.provider;
if (!['sqlite', 'postgres'].includes(provider)) throw new Error('--provider: sqlite or postgres');
for (const [name, v] of [
  ['n', n],
  ['concurrency', concurrency],
  ['instances', instanceCount],
]) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
}
if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup must be an integer ≥ 0');
// Another build of the dashboard (e.g. a copy of an earlier commit's) to compare against.
const appDir = resolve(values['app-dir'] ?? join(import.meta.dirname, '..'));
const dir = mkdtempSync(join(tmpdir(), 'ganmod-bench-'));

let url = `file:${join(dir, 'bench.db')}`;
let dropDatabase = async () => {};
if (provider === 'postgres') {
  const database = `ganmod_dashboard_test_${randomBytes(6).toString('hex')}`;
  const admin = createDb(values['postgres-url']);
  await admin.$executeRawUnsafe(`CREATE DATABASE "${database}"`);
  const target = new URL(values['postgres-url']);
  target.pathname = `/${database}`;
  url = target.toString();
  dropDatabase = async () => {
    await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.$disconnect();
  };
}

// A small real PNG (1x1 grey), distinct bytes per item are not needed: storage is by content hash.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==',
  'base64',
);

const freePort = () =>
  new Promise((resolvePort) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolvePort(p));
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

async function startServer() {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(values['server-profile']
        ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['server-profile'])}`]
        : []),
      join(appDir, 'dist/server.js'),
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      cwd: appDir,
      env: {
        ...process.env,
        DATABASE_URL: url,
        GANMOD_DATA_DIR: dir,
        NEXT_TELEMETRY_DISABLED: '1',
        GANMOD_SERVER_TIMING: '1',
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
      if (i > 150 || child.exitCode !== null) throw new Error('dashboard did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { child, base };
}

const loadAtStart = loadavg()[0].toFixed(1);
const servers = await Promise.all(Array.from({ length: instanceCount }, startServer));

/** `auth;dur=0.4, rate;dur=0.1` → { auth: 0.4, rate: 0.1 } */
function stagesOf(header) {
  const stages = {};
  for (const entry of (header ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(entry);
    if (m) stages[m[1]] = (stages[m[1]] ?? 0) + Number(m[2]);
  }
  return stages;
}

// The client must not be what the benchmark measures: node:http on keep-alive connections with
// bodies assembled from prebuilt buffers costs a fraction of fetch() with FormData per request.
// A fresh agent per pass: a connection left idle between passes may be closed by the server
// (keep-alive timeout) just as the next pass reuses it, an ECONNRESET that is not the server's fault.
let agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const BOUNDARY = 'ganmod-bench-boundary-7MA4YWxkTrZu0gW';
const imageHead = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`,
);
const imageTail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
const sharedImagePart = Buffer.concat([imageHead, png, imageTail]);
/** The image part of submission `id`: the shared one, or with `--distinct-images` its own. */
const imagePart = (id) =>
  values['distinct-images']
    ? Buffer.concat([imageHead, png, Buffer.from(id), imageTail])
    : sharedImagePart;
const field = (name, value) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

/** POSTs one multipart submission; resolves with the status, latency and server stages. */
function post(base, id) {
  const body = Buffer.concat([
    Buffer.from(field('externalId', id) + field('caption', `load test item ${id}`)),
    imagePart(id),
  ]);
  const { hostname, port } = new URL(base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        path: '/api/v1/submissions',
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${key.secret}`,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': body.byteLength,
        },
      },
      (res) => {
        res.resume();
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            ms: performance.now() - started,
            stages: stagesOf(res.headers['server-timing']),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let sent = 0;
function submit(id) {
  return post(servers[sent++ % servers.length].base, id);
}

/** CPU seconds (user + system) the process `pid` has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return NaN;
  }
}

/** Posts `count` submissions with ids `<prefix><i>`, `concurrency` in flight. */
async function pass(count, prefix = 'bench-') {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const results = [];
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) results.push(await submit(`${prefix}${next++}`));
    }),
  );
  return { results, seconds: (performance.now() - startedAt) / 1000 };
}

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Mean and p95 (ms) of each server-side stage, in the order the stages came. */
function stageBreakdown(results) {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.stages)))];
  return Object.fromEntries(
    names.map((name) => {
      const xs = results.map((r) => r.stages[name] ?? 0).sort((a, b) => a - b);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return [name, { mean: round(mean, 2), p95: round(pct(xs, 95), 2) }];
    }),
  );
}

try {
  if (warmup > 0) await pass(warmup, 'warmup-');
  const serverCpuBefore = servers.map((s) => cpuSeconds(s.child.pid));
  const clientCpuBefore = process.cpuUsage();
  const first = await pass(n);
  // CPU per request does not depend on what else the machine runs, as throughput does.
  const serverCpu = servers.reduce(
    (a, s, i) => a + cpuSeconds(s.child.pid) - serverCpuBefore[i],
    0,
  );
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const second = await pass(n); // every id again: must all answer 200 and create nothing
  const stored = (await db.contentItem.count()) - warmup;
  const latencies = first.results.map((r) => r.ms).sort((a, b) => a - b);
  const count = (rs, s) => rs.filter((r) => r.status === s).length;
  const report = {
    provider,
    instances: instanceCount,
    n,
    warmup,
    distinctImages: values['distinct-images'],
    concurrency,
    created201: count(first.results, 201),
    resubmitted200: count(second.results, 200),
    otherStatuses:
      first.results.length +
      second.results.length -
      count(first.results, 201) -
      count(second.results, 200),
    storedRows: stored,
    serversAlive: servers.every((s) => s.child.exitCode === null),
    requestsPerSec: round(n / first.seconds),
    resubmitRequestsPerSec: round(n / second.seconds),
    p50ms: Math.round(pct(latencies, 50)),
    p95ms: Math.round(pct(latencies, 95)),
    p99ms: Math.round(pct(latencies, 99)),
    serverCpuMsPerRequest: round((serverCpu * 1000) / n, 2),
    clientCpuMsPerRequest: round((clientCpu.user + clientCpu.system) / 1000 / n, 2),
    loadAverageAtStart: loadAtStart,
    serverStagesMs: stageBreakdown(first.results),
  };
  const totalServer = Object.values(report.serverStagesMs).reduce((a, s) => a + s.mean, 0);
  const meanLatency = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  console.log(
    `${report.requestsPerSec} req/s, p50 ${report.p50ms} ms, p95 ${report.p95ms} ms, p99 ${report.p99ms} ms (mean ${round(meanLatency)} ms)`,
  );
  console.log(
    `CPU per request: server ${report.serverCpuMsPerRequest} ms, this client ${report.clientCpuMsPerRequest} ms (load average ${loadAtStart} at start)`,
  );
  console.log('server stages, mean / p95 ms:');
  for (const [name, s] of Object.entries(report.serverStagesMs))
    console.log(`  ${name.padEnd(10)} ${String(s.mean).padStart(8)} / ${s.p95}`);
  console.log(
    `  ${'(outside)'.padEnd(10)} ${String(round(meanLatency - totalServer, 2)).padStart(8)}   HTTP and the client`,
  );
  console.log(JSON.stringify(report));
  process.exitCode =
    report.created201 === n && report.resubmitted200 === n && stored === n && report.serversAlive
      ? 0
      : 1;
} finally {
  agent.destroy();
  for (const s of servers) s.child.kill('SIGTERM');
  await db.$disconnect();
  await dropDatabase();
  rmSync(dir, { recursive: true, force: true });
}
