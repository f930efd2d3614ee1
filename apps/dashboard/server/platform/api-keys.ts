import { apiKeysByHash, hashApiKeySecret, type ApiKey, type Db } from '@ganmod/db/client';
import { Batcher } from './batcher.ts';

/** Key lookups in flight at once per database client (reads run side by side on both databases). */
const LOOKUPS_IN_FLIGHT = 2;

// One lookup batcher per server process and database client.
const globalForLookups = globalThis as unknown as {
  ganmodApiKeyLookups?: WeakMap<Db, Batcher<string, ApiKey | null>>;
};

function lookups(db: Db): Batcher<string, ApiKey | null> {
  const all = (globalForLookups.ganmodApiKeyLookups ??= new WeakMap());
  let batcher = all.get(db);
  if (!batcher) {
    // The requests arriving together share one query: under load every request looking its key
    // up alone would cost a database round trip each, the largest cost of a submission after
    // Next's routing.
    batcher = new Batcher(async (hashes: string[]) => {
      const found = await apiKeysByHash(db, [...new Set(hashes)]);
      const byHash = new Map(found.map((k) => [k.hash, k]));
      return hashes.map((h) => byHash.get(h) ?? null);
    }, LOOKUPS_IN_FLIGHT);
    all.set(db, batcher);
  }
  return batcher;
}

/**
 * The key behind an `Authorization: Bearer <secret>` header value, or null when missing, unknown
 * or revoked. Read from the database on every request (batched with the requests arriving at the
 * same time, never cached), so a revoked key is refused from the moment its revocation commits.
 */
export async function apiKeyFromAuthorization(
  db: Db,
  authorization: string | null,
): Promise<ApiKey | null> {
  const match = /^Bearer\s+(\S+)$/i.exec((authorization ?? '').trim());
  if (!match?.[1]) return null;
  const key = await lookups(db).submit(hashApiKeySecret(match[1]));
  if (!key || key.revokedAt) return null;
  return key;
}
