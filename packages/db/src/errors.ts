/**
 * Errors with one clear line of text, so a CLI can print `err.message` and nothing else.
 */

/** The database URL (or another setting) is malformed or names something unsupported. */
export class DbConfigError extends Error {
  override readonly name = 'DbConfigError';
}

/** The database could not be reached, or refused us (host down, bad credentials, missing database). */
export class DbConnectionError extends Error {
  override readonly name = 'DbConnectionError';
}

/** A migration command failed (bad migration SQL, a failed migration in the history, drift, ...). */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Error codes (Node's `code` or PostgreSQL's SQLSTATE) that mean "cannot connect", with a short cause. */
const CONNECTION_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  '28P01': 'password authentication failed',
  '28000': 'authentication rejected',
  '3D000': 'database does not exist',
  '53300': 'too many connections',
  '57P03': 'the database system is starting up',
};

/**
 * Walks an error's causes: `cause` chains, AggregateErrors (Node reports a refused dual-stack
 * connect as one) and the driver adapter error Prisma keeps in `meta.driverAdapterError`.
 */
function* errorChain(err: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 8 || err === null || typeof err !== 'object') return;
  const record = err as Record<string, unknown>;
  yield record;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) yield* errorChain(inner, depth + 1);
  }
  const meta = record.meta as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object') yield* errorChain(meta.driverAdapterError, depth + 1);
  yield* errorChain(record.cause, depth + 1);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The short cause of a connection failure found anywhere in an error's chain
 * (e.g. `connection refused`, `password authentication failed`), or undefined when the error
 * is not a connection failure.
 */
export function connectionFailureCause(err: unknown): string | undefined {
  for (const record of errorChain(err)) {
    const code = stringField(record, 'code') ?? stringField(record, 'originalCode');
    if (code && code in CONNECTION_CAUSES) {
      const message = stringField(record, 'originalMessage') ?? stringField(record, 'message');
      // PostgreSQL's own wording names the user or database: keep it when it is one line.
      const isSqlState = /^[0-9A-Z]{5}$/.test(code) && /\d/.test(code);
      return isSqlState && message && !message.includes('\n') ? message : CONNECTION_CAUSES[code];
    }
    // Driver adapters map connection failures to kinds rather than codes.
    const kind = stringField(record, 'kind');
    if (kind === 'DatabaseNotReachable') return 'server not reachable';
    if (kind === 'AuthenticationFailed') return 'authentication failed';
    if (kind === 'DatabaseDoesNotExist') return 'database does not exist';
    if (kind === 'DatabaseAccessDenied') return 'access denied';
  }
  return undefined;
}

/**
 * When `err` says a table is missing (the database was never migrated: Prisma's P2021, a driver's
 * `TableDoesNotExist`, SQLite's "no such table", PostgreSQL's 42P01), one line that says how to
 * fix it; undefined for any other error.
 */
export function missingTableMessage(err: unknown): string | undefined {
  for (const record of errorChain(err)) {
    const code = stringField(record, 'code') ?? stringField(record, 'originalCode');
    const message = stringField(record, 'message') ?? stringField(record, 'originalMessage') ?? '';
    if (
      code === 'P2021' ||
      code === '42P01' ||
      stringField(record, 'kind') === 'TableDoesNotExist' ||
      /no such table/i.test(message)
    )
      return 'the database has no tables yet (it was never migrated): run `npm run db:migrate` with the same DATABASE_URL (`npm start` migrates too)';
  }
  return undefined;
}

/**
 * One line describing any error for a CLI or a log: our own errors print their message;
 * anything else prints its first line, prefixed with its name.
 */
export function describeDbError(err: unknown): string {
  if (
    err instanceof DbConfigError ||
    err instanceof DbConnectionError ||
    err instanceof MigrationError
  ) {
    return err.message;
  }
  const missing = missingTableMessage(err);
  if (missing !== undefined) return missing;
  if (err instanceof Error) {
    const firstLine =
      err.message
        .split('\n')
        .map((line) => line.trim())
        .find((line) => line.length > 0) ?? '';
    return `${err.name}: ${firstLine || 'unknown error'}`;
  }
  return String(err);
}

/**
 * True when `err` is a unique-constraint violation, e.g. a duplicate externalId: Prisma's P2002
 * from a model query, or a raw query's driver error (`UniqueConstraintViolation`, which Prisma
 * reports as P2010 with the driver's error in its chain).
 */
export function isUniqueConstraintError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { code?: unknown }).code === 'P2002') return true;
  for (const record of errorChain(err)) {
    if (stringField(record, 'kind') === 'UniqueConstraintViolation') return true;
  }
  return false;
}
