// A migrated throwaway database, removed afterwards: a SQLite file in a fresh temp directory, or
// a uniquely named PostgreSQL database on the local server (TEST_POSTGRES_URL overrides it) that is
// created, migrated and dropped with FORCE (other databases are never touched).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate, type Db } from '@ganmod/db';

export type Provider = 'sqlite' | 'postgres';

/** Both providers, for `describe.each(PROVIDERS)`. */
export const PROVIDERS: Provider[] = ['sqlite', 'postgres'];

const postgresServer =
  process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TempDb {
  provider: Provider;
  /** Temp directory (the SQLite file, and the data dir a test server may use). */
  dir: string;
  url: string;
  db: Db;
  /** Another client (own connection pool) on the same database, as a second instance has. */
  connect(): Db;
  cleanup(): Promise<void>;
}

export async function createTempDb(name = 'test', provider: Provider = 'sqlite'): Promise<TempDb> {
  const dir = mkdtempSync(join(tmpdir(), `ganmod-dashboard-${name}-`));
  let url = `file:${join(dir, 'ganmod.db')}`;
  let drop = (): Promise<void> => Promise.resolve();
  if (provider === 'postgres') {
    const database = `ganmod_dashboard_test_${randomBytes(6).toString('hex')}`;
    const admin = createDb(postgresServer);
    await admin.$executeRawUnsafe(`CREATE DATABASE "${database}"`);
    const target = new URL(postgresServer);
    target.pathname = `/${database}`;
    url = target.toString();
    drop = async () => {
      await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.$disconnect();
    };
  }
  await migrate(url);
  const clients: Db[] = [];
  const connect = () => {
    const client = createDb(url);
    clients.push(client);
    return client;
  };
  return {
    provider,
    dir,
    url,
    db: connect(),
    connect,
    async cleanup() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
