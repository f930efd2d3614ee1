/**
 * Driver adapter factories for the wasm schema engine, with the fixes the engine needs on top of
 * the stock Prisma adapters (each met in practice; see the notes at each fix).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
} from '@prisma/driver-adapter-utils';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import pg from 'pg';

import { pgPoolConfig, quoteIdent, withMaintenanceClient } from '../postgres.js';
import type { DbTarget, PostgresTarget, SqliteTarget } from '../url.js';

/** A migration-aware factory plus the cleanup of everything it opened (shadow databases). */
export interface MigrationConnection {
  factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

/** True when argument-less SQL holds more than one statement. */
function isMultiStatement(sql: string): boolean {
  return /;\s*\S/.test(sql.trim().replace(/;+\s*$/, ''));
}

/**
 * Wraps an adapter so that argument-less multi-statement SQL sent through `executeRaw` runs as a
 * script: the engine replays migration files that way when it builds a shadow database, and the
 * drivers reject more than one statement per prepared query.
 */
function scriptAwareAdapter(
  adapter: SqlDriverAdapter,
  executeScript: (script: string) => Promise<void> = (script) => adapter.executeScript(script),
): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: async (query: SqlQuery) => {
      if (query.args.length === 0 && isMultiStatement(query.sql)) {
        await executeScript(query.sql);
        return 0;
      }
      return adapter.executeRaw(query);
    },
    executeScript,
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: adapter.getConnectionInfo ? () => adapter.getConnectionInfo!() : undefined,
    dispose: () => adapter.dispose(),
  };
}

// --------------------------------------------------------------------------------------------
// SQLite
// --------------------------------------------------------------------------------------------

function sqliteConnection(target: SqliteTarget): MigrationConnection {
  if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
  const main = new PrismaLibSql({ url: target.libsqlUrl });
  // The shadow database (where the engine replays migrations to diff them) is an in-memory one.
  const shadow = new PrismaLibSql({ url: ':memory:' });
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'sqlite',
    adapterName: main.adapterName,
    connect: async () => scriptAwareAdapter(await main.connect()),
    connectToShadowDb: async () => scriptAwareAdapter(await shadow.connect()),
  };
  return { factory, close: () => Promise.resolve() };
}

// --------------------------------------------------------------------------------------------
// PostgreSQL
// --------------------------------------------------------------------------------------------

/**
 * Catalog column types adapter-pg cannot deserialize (`"char"`, `regproc`, `pg_node_tree`,
 * `regclass`), which the engine's schema describer reads: report them as text, which they print as.
 */
const CATALOG_OIDS_AS_TEXT = new Set([18, 24, 194, 2205]);
const TEXT_OID = 25;

function patchCatalogTypes<R>(result: R): R {
  const results = Array.isArray(result) ? (result as unknown[]) : [result];
  for (const one of results) {
    const fields = (one as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
    for (const field of fields ?? []) {
      if (CATALOG_OIDS_AS_TEXT.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/** A pg pool whose promise-returning `query` reports catalog types as text. */
function catalogSafePool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const patched = (...args: unknown[]): unknown => {
    const result = query(...args);
    return result instanceof Promise ? result.then(patchCatalogTypes) : result;
  };
  pool.query = patched as typeof pool.query;
  return pool;
}

/** Rethrows a pg error as the adapter error the engine understands. */
function toAdapterError(err: unknown): never {
  const e = err as Partial<pg.DatabaseError> & Error;
  if (typeof e.code === 'string' && typeof e.severity === 'string') {
    throw new DriverAdapterError({
      kind: 'postgres',
      code: e.code,
      severity: e.severity,
      message: e.message,
      detail: e.detail,
      column: e.column,
      hint: e.hint,
    });
  }
  throw err;
}

/**
 * A PostgreSQL adapter for the engine. Scripts run as one multi-statement simple query (as the
 * native engine does) instead of adapter-pg's split on every `;`, which breaks function bodies
 * and loses the implicit transaction around a migration file.
 */
async function connectPostgres(config: pg.PoolConfig, schema: string | undefined) {
  const pool = catalogSafePool(config);
  const adapter = await new PrismaPg(pool, {
    ...(schema ? { schema } : {}),
    disposeExternalPool: true,
  }).connect();
  return scriptAwareAdapter(adapter, async (script) => {
    try {
      await pool.query(script);
    } catch (err) {
      toAdapterError(err);
    }
  });
}

function postgresConnection(target: PostgresTarget): MigrationConnection {
  const shadows = new Set<string>();
  const dropShadow = (name: string) =>
    withMaintenanceClient(target, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
    ).then(() => shadows.delete(name));

  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectPostgres(pgPoolConfig(target), target.schema),
    // Our own shadow database, created and dropped here: adapter-pg's drops it while its own pool
    // is still connected, and reuses the main database when configured from a connection string.
    connectToShadowDb: async () => {
      const name = `ganmod_shadow_${randomBytes(6).toString('hex')}`;
      await withMaintenanceClient(target, (client) =>
        client.query(`CREATE DATABASE ${quoteIdent(name)}`),
      );
      shadows.add(name);
      const adapter = await connectPostgres(pgPoolConfig(target, name), target.schema);
      return {
        ...adapter,
        dispose: async () => {
          await adapter.dispose();
          await dropShadow(name);
        },
      };
    },
  };
  const close = async () => {
    for (const name of [...shadows]) await dropShadow(name);
  };
  return { factory, close };
}

/**
 * Remembers every adapter the engine opens and disposes those it leaves open (freeing the
 * engine does not dispose them, and an open pg pool keeps the process alive).
 */
function disposingOnClose(connection: MigrationConnection): MigrationConnection {
  const open = new Set<SqlDriverAdapter>();
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const adapter = await connect();
    const tracked: SqlDriverAdapter = {
      ...adapter,
      dispose: async () => {
        if (!open.delete(tracked)) return;
        await adapter.dispose();
      },
    };
    open.add(tracked);
    return tracked;
  };
  const { factory } = connection;
  return {
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: () => track(() => factory.connect()),
      connectToShadowDb: () => track(() => factory.connectToShadowDb()),
    },
    close: async () => {
      for (const adapter of [...open]) await adapter.dispose().catch(() => undefined);
      await connection.close();
    },
  };
}

/** A migration-aware adapter factory for a parsed database URL. */
export function migrationConnection(target: DbTarget): MigrationConnection {
  return disposingOnClose(
    target.provider === 'sqlite' ? sqliteConnection(target) : postgresConnection(target),
  );
}
