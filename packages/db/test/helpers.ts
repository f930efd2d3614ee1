import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';

import type { Db } from '../src/client.js';
import { connectDb, createDb } from '../src/client.js';
import { migrate } from '../src/migrate/index.js';
import { PRISMA_DIR } from '../src/migrate/migrations-dir.js';

import type { DbProvider } from '../src/url.js';

/** The PostgreSQL server tests create their databases on (trust auth on the project's machines). */
export const TEST_POSTGRES_SERVER =
  process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty database of the given provider and a function that removes it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database URL on the test server, for another database name. */
function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `ganmod_test_<random>` on the test server; `drop` removes it (and only it). */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `ganmod_test_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(TEST_POSTGRES_SERVER, name),
    drop: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A SQLite file in a new temp folder; `drop` removes the folder. */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'ganmod-db-test-'));
  return {
    url: `file:${join(dir, 'test.db')}`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

export function createTestDatabase(provider: DbProvider): Promise<TestDatabase> {
  return provider === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase();
}

export const PROVIDERS: DbProvider[] = ['sqlite', 'postgres'];

/** A migrated database for one `describe` block, connected before its tests and dropped after. */
export interface MigratedDatabase {
  /** The connected client (set once the block's `beforeAll` has run). */
  readonly db: Db;
  readonly url: string;
}

/** The {@link MigratedDatabase} view of a block's database and client, set by its hooks. */
function readyInsideTests(
  database: () => TestDatabase | undefined,
  client: () => Db | undefined,
): MigratedDatabase {
  return {
    get db() {
      const db = client();
      if (!db) throw new Error('the database is ready only inside tests');
      return db;
    },
    get url() {
      const d = database();
      if (!d) throw new Error('the database is ready only inside tests');
      return d.url;
    },
  };
}

/**
 * Registers `beforeAll`/`afterAll` hooks that create, migrate and connect a fresh database of
 * `provider`, and disconnect and drop it afterwards.
 */
export function useMigratedDatabase(provider: DbProvider): MigratedDatabase {
  let database: TestDatabase | undefined;
  let client: Db | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
    await migrate(database.url);
    client = await connectDb(database.url);
  });
  afterAll(async () => {
    await client?.$disconnect();
    await database?.drop();
  });
  return readyInsideTests(
    () => database,
    () => client,
  );
}

/**
 * A copy of the committed prisma folder without the first migration whose name ends with one of
 * `suffixes` and everything after it: a database migrated from it holds rows as they were before
 * the migrations under test, which then run on them.
 */
export async function migrationsBefore(
  provider: DbProvider,
  suffixes: string | readonly string[],
): Promise<string> {
  const ends = typeof suffixes === 'string' ? [suffixes] : suffixes;
  const dir = await mkdtemp(join(tmpdir(), 'ganmod-prisma-old-'));
  await cp(PRISMA_DIR, dir, { recursive: true });
  const migrations = join(dir, provider, 'migrations');
  const names = (await readdir(migrations, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const first = names.findIndex((n) => ends.some((suffix) => n.endsWith(suffix)));
  if (first <= 0) throw new Error(`no committed migration ends with ${ends.join(' or ')}`);
  for (const name of names.slice(first))
    await rm(join(migrations, name), { recursive: true, force: true });
  return dir;
}

/**
 * Registers hooks for a migration test: a fresh database of `provider` migrated up to (not
 * including) the first migration of `underTest`, holding the rows `seedOld` writes through the
 * old schema (in raw SQL: the client's models describe the current one), then migrated to the
 * end. Checks that the migrations under test ran on those rows first, in order (later ones may
 * follow); disconnects and drops it all afterwards.
 */
export function useDatabaseMigratedOver(
  provider: DbProvider,
  underTest: readonly string[],
  seedOld: (db: Db) => Promise<void>,
): MigratedDatabase {
  let database: TestDatabase | undefined;
  let oldPrisma: string | undefined;
  let client: Db | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
    oldPrisma = await migrationsBefore(provider, underTest);
    await migrate(database.url, { prismaDir: oldPrisma });
    client = createDb(database.url);
    await seedOld(client);
    const upgraded = await migrate(database.url);
    const applied = upgraded.applied.map((n) => n.slice(n.indexOf('_')));
    expect(applied.slice(0, underTest.length)).toEqual(underTest);
  }, 120_000);
  afterAll(async () => {
    await client?.$disconnect();
    await database?.drop();
    if (oldPrisma) await rm(oldPrisma, { recursive: true, force: true });
  });
  return readyInsideTests(
    () => database,
    () => client,
  );
}
