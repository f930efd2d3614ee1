import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('committed provider schemas', () => {
  it('are composed from the current prisma/models.prisma', () => {
    const result = spawnSync(process.execPath, ['scripts/prisma-generate.mjs', '--check'], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
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
