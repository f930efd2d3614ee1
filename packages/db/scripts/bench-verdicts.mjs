#!/usr/bin/env node
// Times recording policy verdicts (what a scoring worker does after the pipeline) on both
// providers (run after the build):
//   node scripts/bench-verdicts.mjs [items per case, default 320] [postgres server URL]
// Per provider and case (items whose key has no webhook endpoint, and items whose key has one), it
// records `items` verdicts (5 detector scores each) one transaction per item (`scoreContentItem`)
// and then in batches of 16 (`scoreContentItems`, the content scorer's batch), and prints wall
// and this process's CPU ms per item (the client's side: query building, driver; not the
// PostgreSQL server's CPU). Creates and drops its own temp file and database. Asserts nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import * as dbApi from '../dist/index.js';

const { connectDb, migrate, scoreContentItem, setWebhookEndpoint } = dbApi;
// Absent from builds before the batch form: then only the per-item figures are printed.
const scoreContentItems = dbApi.scoreContentItems;

const count = Number(process.argv[2] ?? 320);
const server = process.argv[3] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const BATCH = 16;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

async function onServer(sql) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

const detectors = ['near-duplicate', 'explicit-image', 'abuse-text', 'caption-spam', 'synthetic'];
const verdict = (n) => ({
  action: n % 3 === 0 ? 'REVIEW' : 'ALLOW',
  policyVersion: 'bench-1',
  reasons: detectors.map((d, i) => ({ detector: d, category: 'spam', score: ((i + n) % 10) / 10 })),
  scores: detectors.map((d, i) => ({
    detector: d,
    score: ((i + n) % 10) / 10,
    label: 'clean',
    reason: `score ${(i + n) % 10}`,
    details: { model: 'bench', values: [i, n] },
    detectorModelId: null,
  })),
  reasonCode: n % 3 === 0 ? 'policy.review' : 'policy.allow',
  note: `${detectors[0]}: bench ${n}`,
});

async function run(db, keyId, label) {
  for (const mode of ['one per item', ...(scoreContentItems ? [`batches of ${BATCH}`] : [])]) {
    const items = [];
    for (let i = 0; i < count; i += 200) {
      const rows = Array.from({ length: Math.min(200, count - i) }, (_, k) => ({
        externalId: `${label}-${mode}-${i + k}`,
        submittedByKeyId: keyId,
      }));
      await db.contentItem.createMany({ data: rows });
    }
    items.push(
      ...(await db.contentItem.findMany({
        where: { externalId: { startsWith: `${label}-${mode}-` } },
        select: { id: true, version: true },
      })),
    );
    const cpu = process.cpuUsage();
    const start = performance.now();
    let recorded = 0;
    if (mode === 'one per item') {
      for (const [n, item] of items.entries())
        if (await scoreContentItem(db, item, verdict(n))) recorded++;
    } else {
      for (let i = 0; i < items.length; i += BATCH) {
        const batch = items
          .slice(i, i + BATCH)
          .map((item, k) => ({ item, verdict: verdict(i + k) }));
        recorded += (await scoreContentItems(db, batch)).filter(Boolean).length;
      }
    }
    const wall = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(
      `| ${label} | ${mode} | ${recorded}/${items.length} | ${(wall / items.length).toFixed(2)} | ${(cpuMs / items.length).toFixed(2)} | ${load()} |`,
    );
  }
}

console.log(`${count} verdicts per case, 5 detector scores each; load average ${load()}`);
console.log(
  '| provider, key | verdicts recorded | recorded | wall ms/item | client CPU ms/item | load average |',
);
console.log('|---|---|---|---|---|---|');
for (const provider of ['sqlite', 'postgres']) {
  let url;
  let drop;
  if (provider === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'ganmod-bench-verdicts-'));
    url = `file:${join(dir, 'bench.db')}`;
    drop = () => rm(dir, { recursive: true, force: true });
  } else {
    const name = `ganmod_bench_verdicts_${randomBytes(4).toString('hex')}`;
    await onServer(`CREATE DATABASE "${name}"`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
  try {
    await migrate(url);
    const db = await connectDb(url);
    try {
      const admin = await db.user.create({
        data: { id: 'bench-admin', name: 'Bench', email: 'bench@x.test', role: 'ADMIN' },
      });
      const key = (name) =>
        db.apiKey.create({
          data: { name, prefix: name, hash: `h-${name}`, createdById: admin.id },
        });
      const quiet = await key('quiet');
      const hooked = await key('hooked');
      await setWebhookEndpoint(db, hooked.id, 'https://platform.example/hooks');
      await run(db, quiet.id, `${provider}, no endpoint`);
      await run(db, hooked.id, `${provider}, endpoint`);
    } finally {
      await db.$disconnect();
    }
  } finally {
    await drop();
  }
}
