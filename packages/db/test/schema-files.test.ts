import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function checkSchemas(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/prisma-generate.mjs', '--check', ...args], {
    cwd: packageDir,
    encoding: 'utf8',
  });
}

describe('committed provider schemas', () => {
  it('are composed from the current prisma/models.prisma', () => {
    const result = checkSchemas();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('are reported stale after an edit to models.prisma', () => {
    const prismaDir = mkdtempSync(join(tmpdir(), 'ganmod-prisma-'));
    try {
      cpSync(join(packageDir, 'prisma'), prismaDir, { recursive: true });
      appendFileSync(join(prismaDir, 'models.prisma'), '\nmodel Extra {\n  id Int @id\n}\n');
      const result = checkSchemas('--prisma-dir', prismaDir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        'prisma/sqlite/schema.prisma, prisma/postgres/schema.prisma out of date',
      );
    } finally {
      rmSync(prismaDir, { recursive: true, force: true });
    }
  });

  it('differ only in their datasource provider', () => {
    const read = (provider: string) =>
      readFileSync(join(packageDir, 'prisma', provider, 'schema.prisma'), 'utf8');
    const sqlite = read('sqlite');
    const postgres = read('postgres');
    expect(sqlite).toContain('provider = "sqlite"');
    expect(postgres).toContain('provider = "postgresql"');
    expect(sqlite.replace('"sqlite"', '"x"').replace('/sqlite"', '/x"')).toBe(
      postgres.replace('"postgresql"', '"x"').replace('/postgres"', '/x"'),
    );
  });
});
