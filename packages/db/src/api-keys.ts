import { createHash, randomBytes } from 'node:crypto';

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
