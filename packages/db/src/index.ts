/**
 * `@ganmod/db`: the only package that knows Prisma. It owns the schema (SQLite and PostgreSQL),
 * the migrations, the client factory and the seed.
 *
 * @example
 * ```ts
 * import { connectDb, migrate } from '@ganmod/db';
 * await migrate(); // DATABASE_URL, else file:./data/ganmod.db
 * const db = await connectDb();
 * const queue = await db.contentItem.findMany({ where: { status: 'IN_REVIEW' }, orderBy: { createdAt: 'asc' } });
 * ```
 */
// Everything an application server needs (client, errors, run/detector/API-key helpers, enums,
// model types): `@ganmod/db/client`, re-exported whole. Below: what only tools need.
export * from './client.js';
export { MigrationError } from './errors.js';
export {
  createMigration,
  markMigrationRolledBack,
  migrate,
  migrationStatus,
} from './migrate/index.js';
export type {
  CreateMigrationOptions,
  CreatedMigration,
  MigrateResult,
  MigrationOptions,
  MigrationStatus,
} from './migrate/index.js';
// Worker-side halves of the detector requests (the dashboard only requests and activates).
export { heartbeatDetectorRequest, requeueStaleDetectorRequests } from './detectors.js';
export { DEFAULT_ADMIN_EMAIL, seed } from './seed.js';
export type { SeedOptions, SeedResult, SeededUser } from './seed.js';
