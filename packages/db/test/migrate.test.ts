import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDb } from '../src/client.js';
import { MigrationError } from '../src/errors.js';
import { markMigrationRolledBack, migrate, migrationStatus } from '../src/migrate/index.js';
import { PRISMA_DIR } from '../src/migrate/migrations-dir.js';
import type { DbProvider } from '../src/url.js';
import type { TestDatabase } from './helpers.js';
import { PROVIDERS, createTestDatabase } from './helpers.js';

async function committedMigrations(provider: DbProvider): Promise<string[]> {
  const entries = await readdir(join(PRISMA_DIR, provider, 'migrations'), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe.each(PROVIDERS)('migrations on %s', (provider) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
  });
  afterAll(() => database.drop());

  it('applies every committed migration to an empty database, then nothing', async () => {
    const committed = await committedMigrations(provider);
    expect(committed.length).toBeGreaterThan(0);

    const before = await migrationStatus(database.url);
    expect(before).toMatchObject({ provider, pending: committed, upToDate: false });

    const first = await migrate(database.url);
    expect(first.applied).toEqual(committed);

    const second = await migrate(database.url);
    expect(second.applied).toEqual([]);

    const after = await migrationStatus(database.url);
    expect(after).toMatchObject({
      pending: [],
      unknown: [],
      failed: [],
      edited: [],
      upToDate: true,
    });

    // The tables are really there: the client can query one.
    const db = createDb(database.url);
    try {
      expect(await db.trainingRun.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });

  it('reports a migration file edited after it was applied', async () => {
    const prismaDir = await mkdtemp(join(tmpdir(), 'ganmod-prisma-'));
    try {
      await cp(PRISMA_DIR, prismaDir, { recursive: true });
      const [firstMigration] = await committedMigrations(provider);
      const file = join(prismaDir, provider, 'migrations', firstMigration!, 'migration.sql');
      await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited\n`);
      const status = await migrationStatus(database.url, { prismaDir });
      expect(status.edited).toEqual([firstMigration]);
      expect(status.upToDate).toBe(false);
    } finally {
      await rm(prismaDir, { recursive: true, force: true });
    }
  });
});

describe('a PostgreSQL schema other than public', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(() => database.drop());

  it('is created, migrated and used by the client', async () => {
    const url = `${database.url}?schema=app`;
    expect((await migrate(url)).applied).toEqual(await committedMigrations('postgres'));
    expect((await migrationStatus(url)).upToDate).toBe(true);
    const db = createDb(url);
    try {
      await db.contentItem.create({ data: { externalId: 'in-app-schema' } });
      const tables = await db.$queryRawUnsafe<{ table_schema: string }[]>(
        `SELECT table_schema FROM information_schema.tables WHERE table_name = 'content_items'`,
      );
      expect(tables.map((t) => t.table_schema)).toEqual(['app']);
    } finally {
      await db.$disconnect();
    }
  });
});

describe.each(PROVIDERS)('a failing migration on %s', (provider) => {
  let database: TestDatabase;
  let prismaDir: string;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
    prismaDir = await mkdtemp(join(tmpdir(), 'ganmod-prisma-'));
    await cp(PRISMA_DIR, prismaDir, { recursive: true });
    const folder = join(prismaDir, provider, 'migrations', '29990101000000_broken');
    await mkdir(folder);
    await writeFile(join(folder, 'migration.sql'), 'CREATE TABLE "t" ("id" INTEGER);\nSELEC 1;\n');
  });
  afterAll(async () => {
    await database.drop();
    await rm(prismaDir, { recursive: true, force: true });
  });

  it('is named in one line, recorded as failed, and blocks later runs', async () => {
    const error = await migrate(database.url, { prismaDir }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('migration 29990101000000_broken: ');
    expect(message).toMatch(/syntax error/);

    const status = await migrationStatus(database.url, { prismaDir });
    expect(status).toMatchObject({ failed: ['29990101000000_broken'], upToDate: false });
    await expect(migrate(database.url, { prismaDir })).rejects.toThrow(/failed migrations/);

    // Fixed and marked rolled back, it applies on the next run.
    const file = join(prismaDir, provider, 'migrations', '29990101000000_broken', 'migration.sql');
    await writeFile(file, 'CREATE TABLE IF NOT EXISTS "t" ("id" INTEGER);\n');
    await markMigrationRolledBack(database.url, '29990101000000_broken', { prismaDir });
    expect((await migrate(database.url, { prismaDir })).applied).toEqual(['29990101000000_broken']);
    expect((await migrationStatus(database.url, { prismaDir })).upToDate).toBe(true);
  });
});
