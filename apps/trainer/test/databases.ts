// Throwaway databases for tests: a temp SQLite file, or a uniquely named PostgreSQL database on the
// local server that is dropped afterwards (other databases are never touched).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate, type Db } from '@ganmod/db';

export type Provider = 'sqlite' | 'postgres';

export interface TestDatabase {
  url: string;
  db: Db;
  /** Another client on the same database, as a second worker process would have. */
  connect(): Db;
  dispose(): Promise<void>;
}

const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const clients: Db[] = [];
  const connect = (url: string) => () => {
    const db = createDb(url);
    clients.push(db);
    return db;
  };
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ganmod-trainer-'));
    const url = `file:${join(dir, 'test.db')}`;
    await migrate(url);
    const open = connect(url);
    return {
      url,
      db: open(),
      connect: open,
      async dispose() {
        await Promise.all(clients.map((c) => c.$disconnect()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `ganmod_trainer_test_${randomBytes(6).toString('hex')}`;
  const admin = createDb(adminUrl);
  await admin.$executeRawUnsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const open = connect(url.toString());
  return {
    url: url.toString(),
    db: open(),
    connect: open,
    async dispose() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.$disconnect();
    },
  };
}
