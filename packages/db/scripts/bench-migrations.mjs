#!/usr/bin/env node
// Times the migration commands and the seed on both providers (run after the build):
//   node scripts/bench-migrations.mjs [postgres server URL]
// Prints one line per step; creates and drops its own temp file and PostgreSQL databases.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { connectDb, createMigration, migrate, migrationStatus, seed } from '../dist/index.js';

const server = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function timed(label, fn) {
  const start = performance.now();
  const result = await fn();
  console.log(`${label.padEnd(44)} ${(performance.now() - start).toFixed(0).padStart(6)} ms`);
  return result;
}

async function onServer(sql) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function bench(provider, url) {
  await timed(`${provider}: migrate from empty`, () => migrate(url));
  await timed(`${provider}: migrate again (no-op)`, () => migrate(url));
  await timed(`${provider}: status`, () => migrationStatus(url));
  await timed(`${provider}: createMigration (no change)`, () =>
    createMigration({ provider, name: 'bench', postgresUrl: server }),
  );
  const db = await connectDb(url);
  try {
    await timed(`${provider}: seed (3 users, demo data)`, () => seed(db, { env: {}, demo: true }));
    await timed(`${provider}: seed again (no-op)`, () => seed(db, { env: {}, demo: true }));
  } finally {
    await db.$disconnect();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'ganmod-bench-'));
const database = `ganmod_bench_${randomBytes(6).toString('hex')}`;
try {
  await bench('sqlite', `file:${join(dir, 'bench.db')}`);
  await onServer(`CREATE DATABASE "${database}"`);
  const url = new URL(server);
  url.pathname = `/${database}`;
  await bench('postgres', url.toString());
} finally {
  await rm(dir, { recursive: true, force: true });
  await onServer(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}
