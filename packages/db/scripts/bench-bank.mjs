#!/usr/bin/env node
// Times the hash bank's list operations on both providers (run after the build):
//   node scripts/bench-bank.mjs [hashes, default 10000] [postgres server URL]
// Prints the CSV size and one line per step; creates and drops its own temp file and database.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import {
  bankStamp,
  connectDb,
  exportBankCsv,
  importBankCsv,
  listBankEntries,
  matchableBankEntries,
  migrate,
  parseBankCsv,
} from '../dist/index.js';

const count = Number(process.argv[2] ?? 10_000);
const server = process.argv[3] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const labels = ['csam', 'terror', 'non-consensual', 'copyright', 'spam', 'custom'];

async function timed(label, fn) {
  const start = performance.now();
  const result = await fn();
  console.log(`${label.padEnd(52)} ${(performance.now() - start).toFixed(0).padStart(7)} ms`);
  return result;
}

async function onServer(sql) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

const lines = ['hash,quality,label'];
for (let i = 0; i < count; i++) {
  lines.push(`${randomBytes(32).toString('hex')},${50 + (i % 51)},${labels[i % labels.length]}`);
}
const csv = `${lines.join('\n')}\n`;
console.log(`list: ${count} hashes, ${Buffer.byteLength(csv)} bytes of CSV`);
await timed('parse only (parseBankCsv)', () => Promise.resolve(parseBankCsv(csv)));

async function bench(provider, url) {
  await migrate(url);
  const db = await connectDb(url);
  try {
    const actor = { tool: 'bench' };
    await timed(`${provider}: import ${count} (fresh bank)`, () =>
      importBankCsv(db, csv, { source: 'bench.csv' }, actor),
    );
    await timed(`${provider}: import again (all already banked)`, () =>
      importBankCsv(db, csv, { source: 'bench.csv' }, actor),
    );
    const out = await timed(`${provider}: export`, () => exportBankCsv(db));
    console.log(`${provider}: exported ${out.count} hashes, ${Buffer.byteLength(out.csv)} bytes`);
    await timed(`${provider}: scorer load (matchableBankEntries)`, () => matchableBankEntries(db));
    await timed(`${provider}: scorer change check (bankStamp)`, () => bankStamp(db));
    const probe = lines[1].split(',')[0];
    await timed(`${provider}: search near a hash (first)`, () =>
      listBankEntries(db, { near: { hash: probe } }),
    );
    await timed(`${provider}: search near a hash (again)`, () =>
      listBankEntries(db, { near: { hash: probe } }),
    );
    await timed(`${provider}: list newest 50`, () => listBankEntries(db, {}));
  } finally {
    await db.$disconnect();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'ganmod-bench-bank-'));
try {
  await bench('sqlite', `file:${join(dir, 'bench.db')}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
const name = `ganmod_bench_bank_${randomBytes(4).toString('hex')}`;
await onServer(`CREATE DATABASE "${name}"`);
try {
  const url = new URL(server);
  url.pathname = `/${name}`;
  await bench('postgres', url.toString());
} finally {
  await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
