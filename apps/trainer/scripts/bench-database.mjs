// A throwaway database for the trainer's benchmarks: a temp SQLite file, or a uniquely named
// PostgreSQL database on TEST_POSTGRES_URL's server, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate } from '@ganmod/db';

const pgServer = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Creates and migrates a database named after `bench`; returns its URL and how to drop it. */
export async function benchDatabase(provider, bench) {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `ganmod-bench-${bench}-`));
    const url = `file:${join(dir, 'bench.db')}`;
    await migrate(url);
    return { url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `ganmod_bench_${bench}_${randomBytes(4).toString('hex')}`;
  const admin = createDb(pgServer);
  await admin.$executeRawUnsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(pgServer);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      // BENCH_KEEP_DB=1 keeps it for inspection (e.g. the scores the workers wrote).
      if (process.env.BENCH_KEEP_DB) console.log(`kept ${name}`);
      else await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.$disconnect();
    },
  };
}
