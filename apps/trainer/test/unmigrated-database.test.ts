// A database that was never migrated (a fresh DATABASE_URL used before `npm run db:migrate`): the
// CLI says how to fix it in one line and exits with the database code, instead of Prisma's stack.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '@ganmod/db';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';

const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const dataDir = mkdtempSync(join(tmpdir(), 'ganmod-unmigrated-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function train(databaseUrl: string) {
  const out = spawnSync(
    process.execPath,
    [cli, 'train', '--name', 'x', '--dataset', 'mnist', '--steps', '1', '--no-progress'],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        GANMOD_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      timeout: 120_000,
    },
  );
  return { status: out.status, stderr: out.stderr };
}

const advice =
  'ganmod-trainer: the database has no tables yet (it was never migrated): run `npm run db:migrate`';

describe('a database without tables', () => {
  it('SQLite: train names the fix and exits with the database code', () => {
    const { status, stderr } = train(`file:${join(dataDir, 'fresh.db')}`);
    expect(status).toBe(ExitCode.Database);
    expect(stderr).toContain(advice);
    expect(stderr).not.toContain('PrismaClient');
  });

  it('PostgreSQL: the same', async () => {
    const admin = createDb(
      process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    );
    const name = `ganmod_unmigrated_${randomBytes(6).toString('hex')}`;
    await admin.$executeRawUnsafe(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(
        process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
      );
      url.pathname = `/${name}`;
      const { status, stderr } = train(url.toString());
      expect(status).toBe(ExitCode.Database);
      expect(stderr).toContain(advice);
    } finally {
      await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.$disconnect();
    }
  });
});
