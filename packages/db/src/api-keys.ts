import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db-types.js';
import { Prisma, type ApiKey } from './generated/sqlite/client.js';
import { dateOf } from './submission-sql.js';

/** Every ganmod API key secret starts with this, so leaked keys are easy to recognise. */
export const API_KEY_SECRET_PREFIX = 'gm_';

/** Characters of the secret kept in `ApiKey.prefix` (the `gm_` marker plus 8 random ones). */
const DISPLAY_PREFIX_LENGTH = API_KEY_SECRET_PREFIX.length + 8;

/** A new API key: show `secret` once; store only `prefix` and `hash`. */
export interface GeneratedApiKey {
  secret: string;
  prefix: string;
  hash: string;
}

/** Hex sha256 of an API key secret: what `ApiKey.hash` holds and what a lookup compares. */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The recognisable start of a secret, as stored in `ApiKey.prefix`. */
export function apiKeyPrefix(secret: string): string {
  return secret.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** Generates a key with 256 random bits: `gm_` + 43 base64url characters. */
export function generateApiKey(): GeneratedApiKey {
  const secret = API_KEY_SECRET_PREFIX + randomBytes(32).toString('base64url');
  return { secret, prefix: apiKeyPrefix(secret), hash: hashApiKeySecret(secret) };
}

/** A raw `api_keys` row: integers may come as bigint, dates as text (SQLite). */
type RawApiKey = Omit<ApiKey, 'rateLimitPerMinute' | 'createdAt' | 'lastUsedAt' | 'revokedAt'> & {
  rateLimitPerMinute: number | bigint;
  createdAt: Date | string;
  lastUsedAt: Date | string | null;
  revokedAt: Date | string | null;
};

/**
 * The keys whose `hash` is one of `hashes` (revoked ones included: the caller decides), in one
 * SQL statement: every platform request looks its key up, and Prisma's query builder costs more
 * CPU than the lookup itself.
 */
export async function apiKeysByHash(db: Db, hashes: readonly string[]): Promise<ApiKey[]> {
  if (hashes.length === 0) return [];
  const rows = await db.$queryRaw<RawApiKey[]>`
    SELECT "id", "name", "prefix", "hash", "rateLimitPerMinute", "createdById", "createdAt",
      "lastUsedAt", "revokedAt"
    FROM "api_keys" WHERE "hash" IN (${Prisma.join(hashes)})`;
  return rows.map((r) => ({
    ...r,
    rateLimitPerMinute: Number(r.rateLimitPerMinute),
    createdAt: dateOf(r.createdAt),
    lastUsedAt: r.lastUsedAt === null ? null : dateOf(r.lastUsedAt),
    revokedAt: r.revokedAt === null ? null : dateOf(r.revokedAt),
  }));
}
