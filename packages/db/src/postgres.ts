import pg from 'pg';

import { connectionFailureCause } from './errors.js';
import type { PostgresTarget } from './url.js';

/** Seconds to wait for a PostgreSQL connection before reporting it unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * pg pool settings for a parsed URL, optionally for another database on the same server.
 * Fields rather than a connection string, so the database can be swapped reliably.
 */
export function pgPoolConfig(target: PostgresTarget, database = target.database): pg.PoolConfig {
  const verify = target.sslmode === 'verify-ca' || target.sslmode === 'verify-full';
  const useTls = target.sslmode !== 'disable' && target.sslmode !== 'allow';
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database,
    ssl: useTls ? { rejectUnauthorized: verify } : false,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // `?schema=`: the client qualifies its queries itself, the schema engine relies on search_path.
    ...(target.schema ? { options: `-c search_path=${quoteIdent(target.schema)}` } : {}),
  };
}

/** Quotes an identifier for PostgreSQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Runs `fn` with a client on the server's maintenance database (`postgres`), e.g. to CREATE or
 * DROP a database, which cannot be done from inside the database itself.
 */
export async function withMaintenanceClient<T>(
  target: PostgresTarget,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(pgPoolConfig(target, 'postgres'));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why a connection failed: the driver's code (e.g. `3D000`, `ECONNREFUSED`) and a short cause. */
export interface PostgresFailure {
  code: string | undefined;
  cause: string;
}

/**
 * Why a plain connection to the target fails (`connection refused`, `host not found`,
 * `database "x" does not exist`, ...), or undefined when it connects. Driver adapters report an
 * unreachable server without the reason; a pg connection attempt tells them apart.
 */
export async function postgresFailure(
  target: PostgresTarget,
): Promise<PostgresFailure | undefined> {
  const client = new pg.Client(pgPoolConfig(target));
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      code: typeof code === 'string' ? code : undefined,
      cause: connectionFailureCause(err) ?? (err instanceof Error ? err.message : String(err)),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the URL's `?schema=` in its database if missing (as Prisma's migrate does). */
export async function ensurePostgresSchema(target: PostgresTarget): Promise<void> {
  if (!target.schema) return;
  const client = new pg.Client(pgPoolConfig(target));
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
  } finally {
    await client.end();
  }
}
