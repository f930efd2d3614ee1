import { isAbsolute, resolve } from 'node:path';

import { loadEnvironment } from '@ganmod/config';

import { DbConfigError } from './errors.js';

/** The database engines ganmod supports; each has its own schema folder and migrations. */
export type DbProvider = 'sqlite' | 'postgres';

/** A parsed SQLite URL. `path` is absolute, or `:memory:`. */
export interface SqliteTarget {
  provider: 'sqlite';
  path: string;
  /** The URL to hand to libsql (`file:/abs/path.db` or `:memory:`). */
  libsqlUrl: string;
}

/** A parsed PostgreSQL URL, split into the fields pg needs. */
export interface PostgresTarget {
  provider: 'postgres';
  host: string;
  port: number;
  /** Unset means pg's default (PGUSER, else the OS user). */
  user: string | undefined;
  password: string | undefined;
  database: string;
  /** PostgreSQL schema from `?schema=` (Prisma's convention), if not `public`. */
  schema: string | undefined;
  /** libpq's `sslmode` from the URL (`disable` when absent). */
  sslmode: string;
  /** `host:port`, for messages. */
  address: string;
}

export type DbTarget = SqliteTarget | PostgresTarget;

/** Shows a URL in messages without its password. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
}

/**
 * The database URL for an environment: `DATABASE_URL`, else a SQLite file
 * `file:<GANMOD_DATA_DIR or ./data>/ganmod.db` (see `@ganmod/config`).
 */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return loadEnvironment(env).databaseUrl;
}

/**
 * Which provider a URL targets. Throws {@link DbConfigError} for anything else.
 * @example providerOf('postgresql://localhost/ganmod') // 'postgres'
 */
export function providerOf(url: string): DbProvider {
  return parseDatabaseUrl(url).provider;
}

/**
 * Parses and validates a database URL: `file:<path>` (relative to `cwd`) or
 * `postgres://` / `postgresql://`. Throws {@link DbConfigError} with one line naming the problem.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DbTarget {
  const trimmed = url.trim();
  if (trimmed === '') throw new DbConfigError('DATABASE_URL is empty');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'file') return parseSqlite(trimmed, cwd);
  if (scheme === 'postgres' || scheme === 'postgresql') return parsePostgres(trimmed);
  if (scheme === undefined) {
    throw new DbConfigError(
      `DATABASE_URL "${redactUrl(trimmed)}" has no scheme: use file:<path> for SQLite or postgresql://user@host:port/db`,
    );
  }
  throw new DbConfigError(
    `DATABASE_URL scheme "${scheme}:" is not supported: use file:<path> for SQLite or postgresql://user@host:port/db`,
  );
}

function parseSqlite(url: string, cwd: string): SqliteTarget {
  // Accept file:path, file:./path, file:/abs/path and file:///abs/path; drop any ?query.
  let path = url.slice('file:'.length).replace(/\?.*$/, '');
  if (path.startsWith('//')) path = path.replace(/^\/\/(localhost)?/, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    throw new DbConfigError(`DATABASE_URL "${url}" has a malformed percent-encoding in its path`);
  }
  if (path === '') throw new DbConfigError(`DATABASE_URL "${url}" names no SQLite file path`);
  if (path === ':memory:') return { provider: 'sqlite', path, libsqlUrl: ':memory:' };
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  return { provider: 'sqlite', path: absolute, libsqlUrl: `file:${absolute}` };
}

function parsePostgres(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DbConfigError(
      `DATABASE_URL "${redactUrl(url)}" is not a valid URL (expected postgresql://user:password@host:port/database)`,
    );
  }
  const host = decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new DbConfigError(`DATABASE_URL "${redactUrl(url)}" names no host`);
  const port = parsed.port ? Number(parsed.port) : 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DbConfigError(`DATABASE_URL "${redactUrl(url)}" has an invalid port`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new DbConfigError(
      `DATABASE_URL "${redactUrl(url)}" must name one database after the host (postgresql://host:port/<database>)`,
    );
  }
  return {
    provider: 'postgres',
    host,
    port,
    user: decodeURIComponent(parsed.username) || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database,
    schema: parsed.searchParams.get('schema') ?? undefined,
    sslmode: parsed.searchParams.get('sslmode') ?? 'disable',
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
  };
}
