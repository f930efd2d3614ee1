// The client's types, apart from the factory so that modules the client re-exports (runs,
// detectors, users) can name them without importing the client back (no import cycle).
import type { Prisma, PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.js';

/** Methods that would rewrite history: not offered on the append-only `decision` table. */
type RewritingMethods =
  'update' | 'updateMany' | 'updateManyAndReturn' | 'upsert' | 'delete' | 'deleteMany';

/**
 * The database client: Prisma's client for the ganmod schema.
 *
 * Typed as the SQLite client. The PostgreSQL client is generated from the same models, so its
 * model API is identical; `createDb` casts it to this type. `decision` is append-only: its
 * update/delete methods are left out of the type, and database triggers reject them at run time.
 */
export type Db = Omit<SqlitePrismaClient, 'decision' | 'hashBankEvent'> & {
  readonly decision: Omit<SqlitePrismaClient['decision'], RewritingMethods>;
  /** The hash bank's audit trail, append-only like `decision`. */
  readonly hashBankEvent: Omit<SqlitePrismaClient['hashBankEvent'], RewritingMethods>;
};

/**
 * The client inside `db.$transaction(async (tx) => ...)`: type helpers that work both inside
 * and outside a transaction can take `Db | DbTransaction`.
 */
export type DbTransaction = Prisma.TransactionClient;
