import 'server-only';
import { after } from 'next/server';
import type { ApiKey, Db } from '@ganmod/db/client';
import { apiKeyFromRequest } from '~/server/auth/api-keys';
import type { StageTimer } from '~/server/http/server-timing';
import { takeSubmissionSlot } from './rate-limit';

/** A JSON error of the platform API: `{ "error": "<what is wrong>" }`. */
export function problem(status: number, error: string, headers?: Record<string, string>) {
  return Response.json({ error }, { status, ...(headers ? { headers } : {}) });
}

/** The JSON 405 for a method a platform route does not serve, with its `Allow` header. */
export function methodNotAllowed(allow: readonly string[]): Response {
  return problem(405, `Method not allowed here; use ${allow.join(' or ')}.`, {
    Allow: allow.join(', '),
  });
}

/** The JSON 404 for every path and method under /api/v1 that no route serves. */
export function unknownPath(req: Request): Response {
  const path = new URL(req.url).pathname;
  return problem(
    404,
    `No such endpoint: ${req.method} ${path.slice(0, 200)}. See the submission API in the dashboard's README.`,
  );
}

/**
 * Authenticates a platform request by its bearer key and counts it against the key's
 * requests-per-minute (reads and submissions share one limit, kept in the database so every
 * dashboard instance enforces it). Returns the key, or the 401 / 429 answer to send.
 */
export async function authorizePlatformRequest(
  db: Db,
  req: Request,
  timer?: StageTimer,
): Promise<{ ok: true; key: ApiKey } | { ok: false; response: Response }> {
  const key = await apiKeyFromRequest(db, req);
  timer?.mark('auth');
  if (!key) {
    return {
      ok: false,
      response: problem(
        401,
        'Missing, unknown or revoked API key. Send `Authorization: Bearer <key>`.',
      ),
    };
  }
  const allowed = await takeSubmissionSlot(db, key.id, key.rateLimitPerMinute);
  timer?.mark('rate');
  if (!allowed.ok) {
    return {
      ok: false,
      response: problem(
        429,
        `Rate limit of ${key.rateLimitPerMinute} requests per minute exceeded.`,
        { 'Retry-After': String(allowed.retryAfterSeconds) },
      ),
    };
  }
  // After the answer: the platform does not wait for the bookkeeping.
  after(() =>
    db.apiKey
      .update({ where: { id: key.id }, data: { lastUsedAt: new Date() } })
      .then(() => undefined),
  );
  return { ok: true, key };
}
