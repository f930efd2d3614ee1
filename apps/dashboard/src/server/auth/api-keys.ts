import 'server-only';
import { hashApiKeySecret, type Db } from '@ganmod/db/client';

/** The key behind an `Authorization: Bearer <secret>` header, or null when missing, unknown or revoked. */
export async function apiKeyFromRequest(db: Db, req: Request) {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) return null;
  const key = await db.apiKey.findUnique({ where: { hash: hashApiKeySecret(match[1]) } });
  if (!key || key.revokedAt) return null;
  return key;
}
