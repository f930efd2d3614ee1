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
export { connectDb, createDb } from './client.js';
export type { Db, DbTransaction } from './client.js';
export { parseDatabaseUrl, providerOf, redactUrl, resolveDatabaseUrl } from './url.js';
export type { DbProvider } from './url.js';
export {
  DbConfigError,
  DbConnectionError,
  MigrationError,
  describeDbError,
  isUniqueConstraintError,
} from './errors.js';
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
export { cancelRun, resumeRun } from './runs.js';
export {
  activateDetectorModel,
  activateModerationPolicy,
  activeDetectorModel,
  claimDetectorRequest,
  completeDetectorRequest,
  failDetectorRequest,
  heartbeatDetectorRequest,
  requestDetectorPromotion,
  requeueStaleDetectorRequests,
} from './detectors.js';
export type { DetectorPromotionRequest, DetectorPromotionResult } from './detectors.js';
export type { CancelRunResult, ResumeRunResult } from './runs.js';
export { DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD, seed } from './seed.js';
export type { SeedOptions, SeedResult, SeededUser } from './seed.js';
export {
  API_KEY_SECRET_PREFIX,
  apiKeyPrefix,
  generateApiKey,
  hashApiKeySecret,
} from './api-keys.js';
export type { GeneratedApiKey } from './api-keys.js';

// Enums (const objects and their union types) and model types, shared by both providers.
export {
  ArtifactKind,
  ContentStatus,
  DecisionAction,
  DetectorKind,
  DetectorModelStatus,
  HashBankLabel,
  LogLevel,
  PolicyAction,
  Role,
  RunStatus,
} from './generated/sqlite/enums.js';
export type {
  Account,
  ApiKey,
  Artifact,
  ContentItem,
  Decision,
  DetectorModel,
  DetectorScore,
  HashBankEntry,
  ModerationPolicy,
  RunLog,
  RunMetric,
  Session,
  TrainingRun,
  User,
  Verification,
} from './generated/sqlite/client.js';
/** Prisma's namespace: input types (`Prisma.TrainingRunWhereInput`), `Prisma.JsonNull`, `Prisma.DbNull`. */
export { Prisma } from './generated/sqlite/client.js';
