import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';

import { rememberProvider } from './client-provider.js';
import type { Db } from './db-types.js';
import { DbConnectionError, connectionFailureCause, describeDbError } from './errors.js';
import { PrismaClient as PostgresPrismaClient } from './generated/postgres/client.js';
import { PrismaClient as SqlitePrismaClientClass } from './generated/sqlite/client.js';
import { pgPoolConfig, postgresFailure } from './postgres.js';
import type { DbTarget } from './url.js';
import { parseDatabaseUrl, resolveDatabaseUrl } from './url.js';

/** How long a SQLite statement waits for another process's write lock before failing (ms). */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Prisma phones home to check for updates unless told not to. */
export function disablePrismaTelemetry(): void {
  process.env.CHECKPOINT_DISABLE ??= '1';
  process.env.PRISMA_HIDE_UPDATE_MESSAGE ??= '1';
}

function clientFor(target: DbTarget): Db {
  if (target.provider === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    // Workers, the CLI and the dashboard share one file: wait for a lock instead of failing at once.
    const adapter = new PrismaLibSql({ url: target.libsqlUrl, timeout: SQLITE_BUSY_TIMEOUT_MS });
    return rememberProvider(new SqlitePrismaClientClass({ adapter }), 'sqlite');
  }
  const adapter = new PrismaPg(
    pgPoolConfig(target),
    target.schema ? { schema: target.schema } : undefined,
  );
  // Same models, same generated API: the PostgreSQL client is used through the SQLite client's type.
  return rememberProvider(new PostgresPrismaClient({ adapter }) as unknown as Db, 'postgres');
}

/**
 * Creates a client for `url` (default: {@link resolveDatabaseUrl} of `process.env`) without
 * connecting: `file:<path>` opens SQLite through libsql (relative paths against cwd; the parent
 * directory is created), `postgres://` / `postgresql://` opens PostgreSQL through pg.
 * Each client owns a connection pool (SQLite: one connection): create one per process, reuse it
 * and `$disconnect()` it on shutdown.
 *
 * @throws DbConfigError when the URL is malformed or its scheme is unsupported.
 */
export function createDb(url: string = resolveDatabaseUrl()): Db {
  disablePrismaTelemetry();
  return clientFor(parseDatabaseUrl(url));
}

/** Where a target lives, for messages: `PostgreSQL at host:port (database "x")` or the SQLite path. */
export function describeTarget(target: DbTarget): string {
  return target.provider === 'sqlite'
    ? `SQLite database ${target.path}`
    : `PostgreSQL at ${target.address} (database "${target.database}")`;
}

/**
 * {@link createDb} plus a cheap probe query, so a bad server, password or database name is
 * reported now, in one line, rather than on the first real query.
 *
 * @throws DbConfigError when the URL is malformed.
 * @throws DbConnectionError when the database cannot be reached or refuses the connection.
 */
export async function connectDb(url: string = resolveDatabaseUrl()): Promise<Db> {
  disablePrismaTelemetry();
  const target = parseDatabaseUrl(url);
  const db = clientFor(target);
  try {
    await db.$queryRawUnsafe('SELECT 1');
    return db;
  } catch (err) {
    await db.$disconnect().catch(() => undefined);
    const cause =
      (target.provider === 'postgres' ? (await postgresFailure(target))?.cause : undefined) ??
      connectionFailureCause(err) ??
      describeDbError(err);
    throw new DbConnectionError(`Cannot connect to ${describeTarget(target)}: ${cause}`, {
      cause: err,
    });
  }
}

export type { Db, DbTransaction } from './db-types.js';

// ---------------------------------------------------------------------------------------------
// `@ganmod/db/client`: everything an application server needs at run time, and nothing of the
// migrations (whose Prisma schema engine is a large wasm module that bundlers such as Next's would
// otherwise pull into every server bundle). Tools that migrate or seed import `@ganmod/db`.
// ---------------------------------------------------------------------------------------------
export { parseDatabaseUrl, providerOf, redactUrl, resolveDatabaseUrl } from './url.js';
export type { DbProvider } from './url.js';
export {
  DbConfigError,
  DbConnectionError,
  describeDbError,
  isUniqueConstraintError,
  missingTableMessage,
} from './errors.js';
export {
  cancelRun,
  claimNextRun,
  createClaimedRun,
  createRun,
  heartbeatRun,
  releaseRun,
  requeueStaleRuns,
  resumeRun,
} from './runs.js';
export type {
  CancelRunResult,
  ClaimedRun,
  HeartbeatResult,
  NewRun,
  ResumeRunResult,
  RunOutcome,
} from './runs.js';
export {
  claimContentItem,
  claimNextContentItem,
  claimPendingForScoring,
  claimableBy,
  decideContentItem,
  releaseContentItemClaim,
  scoreContentItem,
  scoreContentItems,
  submitContentItem,
  submitContentItems,
  submittedItemSelect,
  topOfScores,
} from './content-items.js';
export type {
  ClaimLease,
  ClaimNextQuery,
  ClaimResult,
  DecideResult,
  ItemTop,
  ItemVerdict,
  LastDecision,
  ModeratorDecision,
  NewSubmission,
  PendingForScoring,
  PolicyVerdict,
  ScoreRow,
  ScoringLease,
  SubmitResult,
  SubmittedItem,
} from './content-items.js';
export {
  BANK_ALGORITHMS,
  BANK_CSV_MAX_BYTES,
  BankInputError,
  DCT_SIGNATURE_ALGORITHM,
  PROFILE_SIGNATURE_ALGORITHM,
  PDQ_ALGORITHM,
  addHashesToBank,
  addItemToBank,
  bankEntrySelect,
  bankHashesOfImage,
  bankStamp,
  bankSummary,
  deleteBankEntries,
  exportBankCsv,
  formatBankCsv,
  importBankCsv,
  listBankEntries,
  listBankEvents,
  matchableBankEntries,
  normalizeBankHash,
  parseBankCsv,
  parseBankLabel,
  recordBankMatches,
  removeAndBankItem,
  searchHashesOfImage,
  setBankEntriesDisabled,
} from './hash-bank.js';
export type {
  AddHashesInput,
  AddHashesResult,
  BankActor,
  BankAlgorithm,
  BankCsvRow,
  BankEntryView,
  BankHash,
  ListBankOptions,
  MatchableBankEntry,
  RemoveAndBankResult,
} from './hash-bank.js';
export {
  MAX_SUBMISSION_PAGE,
  SubmissionCursorError,
  decodeSubmissionCursor,
  encodeSubmissionCursor,
  listSubmissions,
  publicSubmissionById,
  publicSubmissionsByIds,
  readSubmission,
} from './submission-reads.js';
export type {
  ListSubmissionsOptions,
  PublicDecider,
  PublicDecision,
  PublicReason,
  PublicSubmission,
  SubmissionCursor,
  SubmissionPage,
} from './submission-reads.js';
export {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_SECRET_GRACE_MS,
  WEBHOOK_SECRET_PREFIX,
  addressScope,
  clearWebhookEndpoint,
  enqueueSubmissionEvent,
  enqueueSubmissionEvents,
  generateWebhookSecret,
  listWebhookDeliveries,
  replayWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpoint,
  signingSecrets,
  webhookUrlProblem,
} from './webhooks.js';
export type { SubmissionEventInput, WebhookEventType, WebhookPayload } from './webhooks.js';
export {
  RESPONSE_EXCERPT_CHARS,
  claimWebhookDeliveries,
  recordDeliveryAttempt,
  recordDeliveryAttempts,
} from './webhook-deliveries.js';
export type {
  AttemptRecord,
  ClaimDeliveriesOptions,
  ClaimedDelivery,
  DeliveryAttempt,
  RetryPlan,
} from './webhook-deliveries.js';
export {
  activateDetectorModel,
  activateModerationPolicy,
  activeDetectorModel,
  activeModerationPolicy,
  claimDetectorRequest,
  completeDetectorRequest,
  failDetectorRequest,
  requestDetectorPromotion,
} from './detectors.js';
export type { DetectorPromotionRequest, DetectorPromotionResult } from './detectors.js';
export {
  claimWorkerJob,
  finishWorkerJob,
  latestWorkerJob,
  requestWorkerJob,
  requeueStaleWorkerJobs,
} from './worker-jobs.js';
export type { WorkerJobRequestResult } from './worker-jobs.js';
export { WorkerJobKind, WorkerJobStatus } from './generated/sqlite/enums.js';
export type { WorkerJob } from './generated/sqlite/client.js';
export {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PasswordPolicyError,
  checkPassword,
  createPasswordUser,
  generatePassword,
  passwordProblem,
  setPassword,
  userSummarySelect,
} from './users.js';
export type { SetPasswordOptions } from './users.js';
export {
  API_KEY_SECRET_PREFIX,
  apiKeyPrefix,
  apiKeysByHash,
  generateApiKey,
  hashApiKeySecret,
} from './api-keys.js';
export type { GeneratedApiKey } from './api-keys.js';
export {
  ArtifactKind,
  ContentStatus,
  DecisionAction,
  DetectorKind,
  DetectorModelStatus,
  HashBankAction,
  HashBankLabel,
  LogLevel,
  PolicyAction,
  Role,
  RunStatus,
  WebhookDeliveryStatus,
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
  HashBankEvent,
  ModerationPolicy,
  RunLog,
  RunMetric,
  Session,
  TrainingRun,
  User,
  Verification,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
} from './generated/sqlite/client.js';
export { Prisma } from './generated/sqlite/client.js';
