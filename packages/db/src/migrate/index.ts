/**
 * Migrations through Prisma's wasm schema engine: apply the committed migrations of a provider,
 * report their status, and create new migrations offline (no Prisma binaries, no network).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';

import { createDb, describeTarget, disablePrismaTelemetry } from '../client.js';
import { DbConfigError, DbConnectionError, MigrationError } from '../errors.js';
import {
  ensurePostgresSchema,
  postgresFailure,
  quoteIdent,
  withMaintenanceClient,
} from '../postgres.js';
import type { DbProvider, DbTarget, PostgresTarget } from '../url.js';
import { parseDatabaseUrl, resolveDatabaseUrl } from '../url.js';
import { migrationConnection } from './adapters.js';
import { PRISMA_DIR, readMigrations, readSchema, writeMigration } from './migrations-dir.js';
import { lastEnginePanic, startSchemaEngine } from './wasm-engine.js';

const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

let commandQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs migration commands of this process one at a time: two engines migrating the same SQLite
 * file at once race on creating `_prisma_migrations` (PostgreSQL serializes them itself).
 */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = commandQueue.then(fn, fn);
  commandQueue = run.catch(() => undefined);
  return run;
}

/** Options shared by the migration commands. */
export interface MigrationOptions {
  /** The `prisma/` folder holding `<provider>/schema.prisma` and `<provider>/migrations/`. Default: this package's. */
  prismaDir?: string;
  /** Receives the engine's debug output. */
  log?: (line: string) => void;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  provider: DbProvider;
  /** Migration folder names applied by this call, oldest first; empty when already up to date. */
  applied: string[];
  /** True when the PostgreSQL database did not exist and was created. */
  createdDatabase: boolean;
}

/** Where a database stands against the committed migrations. */
export interface MigrationStatus {
  provider: DbProvider;
  /** Migration folders committed for this provider, oldest first. */
  migrations: string[];
  /** Committed migrations not yet applied to the database. */
  pending: string[];
  /** Migrations recorded in the database that are not in the migrations folder. */
  unknown: string[];
  /** Migrations whose last attempt failed. */
  failed: string[];
  /** Applied migrations whose file changed since. */
  edited: string[];
  /** True when nothing is pending, unknown, failed or edited. */
  upToDate: boolean;
}

/** What {@link createMigration} produced. */
export interface CreatedMigration {
  provider: DbProvider;
  /** The new folder name (`<timestamp>_<name>`), or null when the schema had no changes. */
  name: string | null;
  /** Absolute path of the new folder, or null. */
  path: string | null;
  /** The SQL written, or null. */
  sql: string | null;
}

/**
 * One line from whatever the engine rejected with. Its messages are a description, then a Rust
 * span trace (`   0: ...` lines) that may name the migration being applied.
 */
function engineErrorMessage(err: unknown): string {
  const panic = lastEnginePanic();
  if (panic) return `schema engine panicked: ${panic.split('\n')[0]}`;
  const message =
    err instanceof Error
      ? err.message
      : typeof err === 'object' &&
          err !== null &&
          typeof (err as { message?: unknown }).message === 'string'
        ? (err as { message: string }).message
        : String(err);
  const traceStart = message.search(/^\s+\d+: /m);
  const description = (traceStart >= 0 ? message.slice(0, traceStart) : message)
    .split('\n')
    .map((line) => line.trim())
    // adapter errors arrive wrapped in this generic line, with the real cause on the next one
    .filter((line) => line !== '' && line !== 'external connector error')
    .join(': ');
  const migration = /migration_name="([^"]+)"/.exec(message)?.[1];
  return migration ? `migration ${migration}: ${description}` : description || 'unknown error';
}

/**
 * Runs `fn` with a schema engine on `target`, turning failures into one-line errors and always
 * releasing the connection and any shadow database.
 */
async function withEngine<T>(
  target: DbTarget,
  provider: DbProvider,
  options: MigrationOptions,
  what: string,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  disablePrismaTelemetry();
  const schema = await readSchema(provider, options.prismaDir ?? PRISMA_DIR);
  const connection = migrationConnection(target);
  let engine: SchemaEngine | undefined;
  try {
    engine = await startSchemaEngine(schema, connection.factory, options.log);
    return await fn(engine);
  } catch (err) {
    if (err instanceof DbConfigError || err instanceof MigrationError) throw err;
    throw new MigrationError(
      `${what} failed on ${describeTarget(target)}: ${engineErrorMessage(err)}`,
      {
        cause: err,
      },
    );
  } finally {
    engine?.free();
    await connection.close();
  }
}

/** Whether the database has Prisma's `_prisma_migrations` table (i.e. was ever migrated). */
async function hasMigrationsTable(target: DbTarget): Promise<boolean> {
  const connection = migrationConnection(target);
  try {
    const adapter = await connection.factory.connect();
    const sql =
      target.provider === 'sqlite'
        ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'"
        : "SELECT 1 FROM information_schema.tables WHERE table_name = '_prisma_migrations' AND table_schema = COALESCE($1, current_schema())";
    const args = target.provider === 'sqlite' ? [] : [target.schema ?? null];
    const result = await adapter.queryRaw({
      sql,
      args,
      argTypes: args.map(() => ({ scalarType: 'string', arity: 'scalar' })),
    });
    return result.rows.length > 0;
  } finally {
    await connection.close();
  }
}

/** Throws {@link DbConnectionError} now rather than deep inside the engine. */
async function assertReachable(target: PostgresTarget): Promise<void> {
  const failure = await postgresFailure(target);
  if (failure) {
    throw new DbConnectionError(`Cannot connect to ${describeTarget(target)}: ${failure.cause}`);
  }
}

/** Creates the target database when the server answers but the database is missing. */
async function ensurePostgresDatabase(target: PostgresTarget): Promise<boolean> {
  const exists = await withMaintenanceClient(target, async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      target.database,
    ]);
    return (result.rowCount ?? 0) > 0;
  });
  if (exists) return false;
  await withMaintenanceClient(target, (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(target.database)}`),
  );
  return true;
}

/** {@link migrate}, unserialized. */
async function migrateNow(url: string, options: MigrationOptions): Promise<MigrateResult> {
  const target = parseDatabaseUrl(url);
  let createdDatabase = false;
  if (target.provider === 'postgres') {
    const failure = await postgresFailure(target);
    // 3D000 invalid_catalog_name: the server is fine, the database is not there yet.
    if (failure?.code === '3D000') createdDatabase = await ensurePostgresDatabase(target);
    else if (failure) {
      throw new DbConnectionError(`Cannot connect to ${describeTarget(target)}: ${failure.cause}`);
    }
    await ensurePostgresSchema(target);
  }
  const migrationsList = await readMigrations(target.provider, options.prismaDir);
  const applied = await withEngine(target, target.provider, options, 'migrate', async (engine) => {
    const output = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return output.appliedMigrationNames;
  });
  if (target.provider === 'sqlite' && target.path !== ':memory:') await useWriteAheadLog(url);
  return { provider: target.provider, applied, createdDatabase };
}

/**
 * Switches a SQLite file to write-ahead logging (persistent in the file). Workers, the CLI and the
 * dashboard write to one file from several processes: in rollback-journal mode two writing
 * transactions can deadlock (each holds a read lock the other's commit needs); in WAL mode
 * readers never block the writer and the busy timeout resolves writer contention.
 */
async function useWriteAheadLog(url: string): Promise<void> {
  const db = createDb(url);
  try {
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  } finally {
    await db.$disconnect();
  }
}

/** {@link migrationStatus}, unserialized. */
async function migrationStatusNow(
  url: string,
  options: MigrationOptions,
): Promise<MigrationStatus> {
  const target = parseDatabaseUrl(url);
  if (target.provider === 'postgres') await assertReachable(target);
  const migrationsList = await readMigrations(target.provider, options.prismaDir);
  const migrations = migrationsList.migrationDirectories.map((dir) => dir.path);
  if (!(await hasMigrationsTable(target))) {
    // A database never migrated: the engine's diagnosis would fail on the missing table.
    return {
      provider: target.provider,
      migrations,
      pending: migrations,
      unknown: [],
      failed: [],
      edited: [],
      upToDate: migrations.length === 0,
    };
  }
  const diagnostic = await withEngine(target, target.provider, options, 'status', (engine) =>
    engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters: NO_FILTERS,
    }),
  );
  let pending: string[] = [];
  let unknown: string[] = [];
  const history = diagnostic.history;
  if (history?.diagnostic === 'databaseIsBehind') {
    pending = history.unappliedMigrationNames;
  } else if (history?.diagnostic === 'migrationsDirectoryIsBehind') {
    unknown = history.unpersistedMigrationNames;
  } else if (history?.diagnostic === 'historiesDiverge') {
    pending = history.unappliedMigrationNames;
    unknown = history.unpersistedMigrationNames;
  }
  const failed = diagnostic.failedMigrationNames;
  const edited = diagnostic.editedMigrationNames;
  return {
    provider: target.provider,
    migrations,
    pending,
    unknown,
    failed,
    edited,
    upToDate: pending.length + unknown.length + failed.length + edited.length === 0,
  };
}

/** Options of {@link createMigration}. */
export interface CreateMigrationOptions extends MigrationOptions {
  provider: DbProvider;
  /** Folder name suffix, e.g. `add_run_priority` (letters, digits, `_` and `-`). */
  name: string;
  /** Write the migration even when the schema has no changes (for hand-written SQL). */
  empty?: boolean;
  /**
   * PostgreSQL server on which a throwaway database is created (and dropped) to diff against.
   * Default: `DATABASE_URL` when it is PostgreSQL, else `postgresql://postgres@127.0.0.1:5432/postgres`.
   */
  postgresUrl?: string;
}

const DEFAULT_POSTGRES_SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A throwaway database to build the migration on, and how to get rid of it. */
async function scratchDatabase(
  options: CreateMigrationOptions,
): Promise<{ target: DbTarget; dispose: () => Promise<void> }> {
  if (options.provider === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'ganmod-migration-'));
    return {
      target: parseDatabaseUrl(`file:${join(dir, 'scratch.db')}`),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const envUrl = process.env.DATABASE_URL;
  const serverUrl =
    options.postgresUrl ??
    (envUrl && /^postgres(ql)?:/i.test(envUrl) ? envUrl : DEFAULT_POSTGRES_SERVER);
  const server = parseDatabaseUrl(serverUrl);
  if (server.provider !== 'postgres') {
    throw new DbConfigError(`postgresUrl "${serverUrl}" is not a PostgreSQL URL`);
  }
  await assertReachable(server);
  const database = `ganmod_migration_${randomBytes(6).toString('hex')}`;
  await withMaintenanceClient(server, (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(database)}`),
  );
  return {
    target: { ...server, database, schema: undefined },
    dispose: () =>
      withMaintenanceClient(server, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

/** {@link createMigration}, unserialized. */
async function createMigrationNow(options: CreateMigrationOptions): Promise<CreatedMigration> {
  const { provider, name } = options;
  if (provider !== 'sqlite' && provider !== 'postgres') {
    throw new DbConfigError(`Unknown provider "${String(provider)}": use sqlite or postgres`);
  }
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(name)) {
    throw new MigrationError(
      `Migration name "${name}" is invalid: use 1-120 letters, digits, "_" or "-"`,
    );
  }
  const prismaDir = options.prismaDir ?? PRISMA_DIR;
  await assertSchemaComposed(provider, prismaDir);
  const migrationsList = await readMigrations(provider, prismaDir);
  const schema = await readSchema(provider, prismaDir);
  const scratch = await scratchDatabase(options);
  try {
    const output = await withEngine(
      scratch.target,
      provider,
      { ...options, prismaDir },
      'migration:create',
      async (engine) => {
        await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
        // The engine sets up its shadow database connection during the dev diagnostic.
        await engine.devDiagnostic({ migrationsList, filters: NO_FILTERS });
        return engine.createMigration({
          draft: options.empty ?? false,
          migrationName: name,
          migrationsList,
          schema: { files: [schema] },
          filters: NO_FILTERS,
        });
      },
    );
    if (output.migrationScript === null) return { provider, name: null, path: null, sql: null };
    const path = await writeMigration(
      provider,
      output.generatedMigrationName,
      output.migrationScript,
      prismaDir,
    );
    return { provider, name: output.generatedMigrationName, path, sql: output.migrationScript };
  } finally {
    await scratch.dispose();
  }
}

/**
 * Applies the committed migrations of the URL's provider that the database has not applied yet
 * (like `prisma migrate deploy`). Running it again is a no-op. A missing PostgreSQL database is
 * created; a missing SQLite file (and its folder) too. Calls in one process run one at a time.
 *
 * @param url Database URL; default {@link resolveDatabaseUrl} of `process.env`.
 * @throws DbConfigError for a malformed URL, DbConnectionError for an unreachable server,
 *   MigrationError when a migration fails.
 */
export function migrate(
  url: string = resolveDatabaseUrl(),
  options: MigrationOptions = {},
): Promise<MigrateResult> {
  return serialized(() => migrateNow(url, options));
}

/**
 * Compares the database's migration history with the committed migrations, without changing
 * anything (like `prisma migrate status`).
 *
 * @throws DbConfigError, DbConnectionError, MigrationError as {@link migrate}.
 */
export function migrationStatus(
  url: string = resolveDatabaseUrl(),
  options: MigrationOptions = {},
): Promise<MigrationStatus> {
  return serialized(() => migrationStatusNow(url, options));
}

/**
 * Creates `prisma/<provider>/migrations/<timestamp>_<name>/migration.sql` holding the SQL that
 * takes the committed migrations to the current schema (like `prisma migrate dev --create-only`),
 * computed on a throwaway database (a temp SQLite file, or a PostgreSQL database created and
 * dropped here). Returns `name: null` when there is nothing to migrate.
 *
 * The provider's `schema.prisma` must be composed from `models.prisma` first (the package build
 * does it; so does `node scripts/prisma-generate.mjs`).
 *
 * @throws MigrationError for a bad name or a stale schema, DbConnectionError when the
 *   PostgreSQL server for the throwaway database is unreachable.
 */
export function createMigration(options: CreateMigrationOptions): Promise<CreatedMigration> {
  return serialized(() => createMigrationNow(options));
}

/**
 * Marks a failed migration as rolled back (like `prisma migrate resolve --rolled-back`), after
 * you have undone whatever part of it ran; the next {@link migrate} applies it again (fix its
 * SQL first). Throws {@link MigrationError} when the migration is not in a failed state.
 */
export function markMigrationRolledBack(
  url: string,
  migrationName: string,
  options: MigrationOptions = {},
): Promise<void> {
  return serialized(async () => {
    const target = parseDatabaseUrl(url);
    if (target.provider === 'postgres') await assertReachable(target);
    await withEngine(target, target.provider, options, 'migration:rolled-back', (engine) =>
      engine.markMigrationRolledBack({ migrationName }).then(() => undefined),
    );
  });
}

/** Refuses to diff against a provider schema that no longer matches `models.prisma`. */
async function assertSchemaComposed(provider: DbProvider, prismaDir: string): Promise<void> {
  const [models, schema] = await Promise.all([
    readFile(join(prismaDir, 'models.prisma'), 'utf8'),
    readSchema(provider, prismaDir),
  ]);
  if (!schema.content.endsWith(models)) {
    throw new MigrationError(
      `prisma/${provider}/schema.prisma is out of date with prisma/models.prisma: run node scripts/prisma-generate.mjs (or the package build) first`,
    );
  }
}
