import type { Db } from '@ganmod/db/client';

/** Length of one rate-limit window. */
export const RATE_WINDOW_MS = 60_000;

/** Whether a request may go ahead, and if not, in how many seconds the key's next window opens. */
export type RateDecision = { ok: true; count: number } | { ok: false; retryAfterSeconds: number };

/**
 * Counts one request of API key `apiKeyId` in the current one-minute window and decides it:
 * allowed while the window holds at most `perMinute` requests.
 *
 * The counter lives in the database (`api_key_rate_windows`), incremented by one atomic
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING`, so every dashboard instance (and every
 * connection) shares one limit: of N simultaneous requests exactly `perMinute` get through, on
 * SQLite and PostgreSQL alike. Fixed windows are the price of one statement per request: a client
 * can fit up to 2×`perMinute` requests into 60 s that straddle a window boundary.
 */
export async function takeSubmissionSlot(
  db: Db,
  apiKeyId: string,
  perMinute: number,
  now: number = Date.now(),
): Promise<RateDecision> {
  const windowStart = Math.floor(now / RATE_WINDOW_MS);
  // Identifiers are quoted: PostgreSQL folds unquoted ones to lower case.
  const rows = await db.$queryRaw<{ count: number | bigint }[]>`
    INSERT INTO "api_key_rate_windows" ("apiKeyId", "windowStart", "count")
    VALUES (${apiKeyId}, ${windowStart}, 1)
    ON CONFLICT ("apiKeyId", "windowStart")
    DO UPDATE SET "count" = "api_key_rate_windows"."count" + 1
    RETURNING "count"`;
  const count = Number(rows[0]?.count);
  if (count === 1) {
    // This request opened the window: the key's earlier windows are of no further use.
    await db.apiKeyRateWindow.deleteMany({ where: { apiKeyId, windowStart: { lt: windowStart } } });
  }
  if (count <= perMinute) return { ok: true, count };
  const msLeft = (windowStart + 1) * RATE_WINDOW_MS - now;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
}
