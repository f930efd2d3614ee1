import { createDb, resolveDatabaseUrl, type Db } from '@ganmod/db/client';

// One client per server process, shared by the server's own routes and Next's (both run in this
// process); Next's dev server reloads modules, so it is kept on globalThis.
const globalForDb = globalThis as unknown as { ganmodDb?: Db };

/** The process-wide database client, created on first use from `DATABASE_URL` (SQLite default). */
export function getDb(): Db {
  globalForDb.ganmodDb ??= createDb(resolveDatabaseUrl(process.env));
  return globalForDb.ganmodDb;
}
