#!/usr/bin/env node
// bench:webhooks: webhook delivery by real worker processes to a local receiver that verifies
// every signature with `standardwebhooks`.
//   throughput: a backlog of --events events (over --endpoints API keys) made due at once; events/s
//     until the last is delivered.
//   latency: --paced events written at --rate/s while the workers run; decision (the event's
//     timestamp, the decision row's createdAt) to the receiver's arrival, p50/p95/p99.
// Run with 1 and 2 workers (--workers 1,2), on SQLite (default) or --provider postgres;
// --concurrency N sets the workers' --webhook-concurrency.
// Needs the built trainer (`pnpm --filter @ganmod/trainer build`). Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, generateApiKey, scoreContentItem, setWebhookEndpoint } from '@ganmod/db';
import { Webhook } from 'standardwebhooks';
import { benchDatabase } from './bench-database.mjs';

const { values: flags } = parseArgs({
  options: {
    provider: { type: 'string', default: 'sqlite' },
    events: { type: 'string', default: '1000' },
    endpoints: { type: 'string', default: '4' },
    paced: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1,2' },
    'receiver-delay': { type: 'string', default: '0' },
    // The workers' --webhook-concurrency (in flight per endpoint); default the worker's own.
    concurrency: { type: 'string' },
  },
});
const EVENTS = Number(flags.events);
const ENDPOINTS = Number(flags.endpoints);
const PACED = Number(flags.paced);
const RATE = Number(flags.rate);
const DELAY = Number(flags['receiver-delay']);
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const database = () => benchDatabase(flags.provider, 'webhooks');

async function receiver(secrets) {
  const arrivals = new Map(); // webhook-id -> arrival ms (first)
  let bad = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const headers = {
        'webhook-id': req.headers['webhook-id'],
        'webhook-timestamp': req.headers['webhook-timestamp'],
        'webhook-signature': req.headers['webhook-signature'],
      };
      const ok = secrets.some((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (!ok) bad++;
      else if (!arrivals.has(headers['webhook-id']))
        arrivals.set(headers['webhook-id'], {
          at: Date.now(),
          ts: Date.parse(JSON.parse(body).timestamp),
        });
      setTimeout(() => res.writeHead(ok ? 200 : 400).end(), DELAY);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    arrivals,
    bad: () => bad,
    close: () => new Promise((r) => server.close(r)),
  };
}

function startWorker(url) {
  const child = spawn(
    process.execPath,
    [
      cli,
      'worker',
      '--poll',
      '60000',
      '--webhook-poll',
      '100',
      ...(flags.concurrency ? ['--webhook-concurrency', flags.concurrency] : []),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        GANMOD_WEBHOOK_HTTP_DEV: '1',
        GANMOD_BACKEND: 'cpu',
        LOG_LEVEL: process.env.BENCH_DEBUG ? 'debug' : 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // The worker logs (pino, JSON lines) to stderr.
  if (process.env.BENCH_DEBUG) child.stderr.on('data', (d) => process.stderr.write(d));
  child.stdout.resume();
  const started = new Promise((resolve) => {
    child.stderr.on('data', (d) => {
      if (String(d).includes('worker started')) resolve();
    });
  });
  return { child, started };
}

/** One scored event per new item, round-robin over the keys. */
async function writeEvents(db, keys, n, prefix) {
  for (let i = 0; i < n; i++) {
    const item = await db.contentItem.create({
      data: { externalId: `${prefix}-${i}`, submittedByKeyId: keys[i % keys.length] },
    });
    await scoreContentItem(
      db,
      { id: item.id, version: 0 },
      {
        action: 'ALLOW',
        policyVersion: 'bench',
        reasons: [{ detector: 'caption-spam', category: 'spam', score: 0.1, label: 'ham' }],
        scores: [],
        reasonCode: 'policy.allow',
        note: null,
      },
    );
  }
}

async function run(workerCount) {
  const target = await database();
  const db = createDb(target.url);
  const secrets = [];
  const rx = await receiver(secrets);
  const workers = [];
  try {
    const admin = await db.user.create({
      data: { id: 'bench', name: 'Bench', email: 'bench@x.test', role: 'ADMIN' },
    });
    const keys = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const { prefix, hash } = generateApiKey();
      const key = await db.apiKey.create({
        data: { name: `k${i}`, prefix, hash, createdById: admin.id },
      });
      secrets.push((await setWebhookEndpoint(db, key.id, rx.url)).secret);
      keys.push(key.id);
    }
    // The backlog, held back (due in an hour) until the workers are up.
    await writeEvents(db, keys, EVENTS, 'backlog');
    await db.webhookDelivery.updateMany({ data: { nextAttemptAt: new Date(Date.now() + 3.6e6) } });
    for (let i = 0; i < workerCount; i++) workers.push(startWorker(target.url));
    await Promise.all(workers.map((w) => w.started));
    const t0 = Date.now();
    await db.webhookDelivery.updateMany({ data: { nextAttemptAt: new Date(t0) } });
    while (rx.arrivals.size < EVENTS) await sleep(20);
    const backlogSeconds = (Math.max(...[...rx.arrivals.values()].map((a) => a.at)) - t0) / 1000;

    // Paced decisions while the workers run: decision-to-delivery latency.
    const before = new Set(rx.arrivals.keys());
    const start = Date.now();
    for (let i = 0; i < PACED; i++) {
      await writeEvents(db, keys, 1, `paced-${i}`);
      const wait = start + ((i + 1) * 1000) / RATE - Date.now();
      if (wait > 0) await sleep(wait);
    }
    while (rx.arrivals.size < EVENTS + PACED) await sleep(20);
    const latencies = [...rx.arrivals.entries()]
      .filter(([id]) => !before.has(id))
      .map(([, a]) => a.at - a.ts)
      .sort((a, b) => a - b);
    const delivered = await db.webhookDelivery.count({ where: { status: 'DELIVERED' } });
    return {
      workers: workerCount,
      eventsPerSecond: Math.round(EVENTS / backlogSeconds),
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
      delivered,
      badSignatures: rx.bad(),
    };
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => w.child.once('exit', r))));
    await rx.close();
    await db.$disconnect();
    await target.drop();
  }
}

console.log(
  `bench:webhooks on ${flags.provider}: ${EVENTS} backlog events over ${ENDPOINTS} endpoints, ` +
    `${PACED} paced at ${RATE}/s, receiver delay ${DELAY} ms, ` +
    (flags.concurrency ? `${flags.concurrency} in flight per endpoint` : 'default worker settings'),
);
for (const n of flags.workers.split(',').map(Number)) {
  const r = await run(n);
  console.log(
    `${r.workers} worker(s): ${r.eventsPerSecond} events/s delivered; decision to delivery ` +
      `p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms (${r.delivered} delivered, ` +
      `${r.badSignatures} bad signatures; load average ${loadavg()[0].toFixed(1)})`,
  );
}
