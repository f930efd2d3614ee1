import type { Db } from './db-types.js';
import type { DbProvider } from './url.js';

// The provider of each client `createDb` made: the few statements whose SQL differs between
// SQLite and PostgreSQL ask here instead of reading Prisma's private fields.
const providers = new WeakMap<object, DbProvider>();

/** Records the provider of a client just created. */
export function rememberProvider(db: Db, provider: DbProvider): Db {
  providers.set(db, provider);
  return db;
}

/**
 * The database behind a client made by `createDb` or `connectDb`.
 *
 * @throws Error for a client made otherwise (or a transaction's client): pass the root client.
 */
export function clientProvider(db: Db): DbProvider {
  const provider = providers.get(db);
  if (!provider) throw new Error('clientProvider: not a client made by createDb or connectDb');
  return provider;
}
