// A migrated SQLite database in a fresh temp directory, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate, type Db } from '@ganmod/db';

export interface TempDb {
  dir: string;
  url: string;
  db: Db;
  cleanup(): Promise<void>;
}

export async function createTempDb(name = 'test'): Promise<TempDb> {
  const dir = mkdtempSync(join(tmpdir(), `ganmod-dashboard-${name}-`));
  const url = `file:${join(dir, 'ganmod.db')}`;
  await migrate(url);
  const db = createDb(url);
  return {
    dir,
    url,
    db,
    async cleanup() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
