import 'server-only';
import { createDb, resolveDatabaseUrl, type Db } from '@ganmod/db/client';

// One client per server process: Next's dev server reloads modules, so keep it on globalThis.
const globalForDb = globalThis as unknown as { ganmodDb?: Db };

/** The process-wide database client, created on first use from `DATABASE_URL` (SQLite default). */
export function getDb(): Db {
  globalForDb.ganmodDb ??= createDb(resolveDatabaseUrl(process.env));
  return globalForDb.ganmodDb;
}
