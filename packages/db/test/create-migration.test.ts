import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createMigration, migrate } from '../src/migrate/index.js';
import { PRISMA_DIR } from '../src/migrate/migrations-dir.js';
import { PROVIDERS, TEST_POSTGRES_SERVER, createTestDatabase } from './helpers.js';

describe.each(PROVIDERS)('createMigration for %s', (provider) => {
  const postgresUrl = TEST_POSTGRES_SERVER;

  it('finds the committed migrations in step with the schema', async () => {
    const created = await createMigration({ provider, name: 'no_change', postgresUrl });
    expect(created).toEqual({ provider, name: null, path: null, sql: null });
  });

  it('writes a migration for a schema change, which then applies', async () => {
    const prismaDir = await mkdtemp(join(tmpdir(), 'ganmod-prisma-'));
    const database = await createTestDatabase(provider);
    try {
      await cp(PRISMA_DIR, prismaDir, { recursive: true });
      const model = '\nmodel Widget {\n  id   Int    @id\n  name String\n}\n';
      // A composed schema is the provider header followed by models.prisma: extend both.
      for (const file of ['models.prisma', join(provider, 'schema.prisma')]) {
        const path = join(prismaDir, file);
        await writeFile(path, (await readFile(path, 'utf8')) + model);
      }
      const created = await createMigration({
        provider,
        name: 'add_widget',
        prismaDir,
        postgresUrl,
      });
      expect(created.name).toMatch(/^\d{14}_add_widget$/);
      expect(created.sql).toContain('CREATE TABLE "Widget"');
      expect(await readFile(join(created.path!, 'migration.sql'), 'utf8')).toBe(created.sql);

      const applied = await migrate(database.url, { prismaDir });
      expect(applied.applied.at(-1)).toBe(created.name);
    } finally {
      await database.drop();
      await rm(prismaDir, { recursive: true, force: true });
    }
  });

  it('refuses a provider schema that is stale against models.prisma', async () => {
    const prismaDir = await mkdtemp(join(tmpdir(), 'ganmod-prisma-'));
    try {
      await cp(PRISMA_DIR, prismaDir, { recursive: true });
      await writeFile(join(prismaDir, 'models.prisma'), '// changed\n');
      await expect(
        createMigration({ provider, name: 'stale', prismaDir, postgresUrl }),
      ).rejects.toThrow(`prisma/${provider}/schema.prisma is out of date`);
    } finally {
      await rm(prismaDir, { recursive: true, force: true });
    }
  });
});
