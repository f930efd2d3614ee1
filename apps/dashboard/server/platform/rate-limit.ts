import type { Db } from '@ganmod/db/client';

/** Length of one rate-limit window. */
export const RATE_WINDOW_MS = 60_000;

/** Most slots one instance leases in one database write. */
export const MAX_LEASE = 64;

/**
 * Share of a window's remaining slots one lease may take beyond the requests already waiting:
 * 1/8, so an instance holds at most an eighth of what is left unused (the tolerance below).
 */
const LEASE_SHARE = 8;

/** What the `RateLimit-*` headers tell: the key's limit, what is left, when the window ends. */
export interface RateState {
  limit: number;
  /** Requests left in this window as far as this instance knows (others may have used some). */
  remaining: number;
  /** Seconds until the next window opens (at least 1). */
  resetSeconds: number;
}

/** Whether a request may go ahead (with the state to report either way). */
export type RateDecision = RateState & ({ ok: true } | { ok: false; retryAfterSeconds: number });

/** This instance's part of one key's current window. */
interface KeyWindow {
  windowStart: number;
  /** Slots leased from the database and not used yet. */
  available: number;
  /** The window's count in the database after this instance's last lease. */
  known: number;
  /** Requests waiting for the lease in flight. */
  waiting: number;
  /** The lease in flight (one at a time per key and instance). */
  lease: Promise<void> | null;
}

/**
 * Atomically adds `slots` to the key's window in `api_key_rate_windows` and returns its new
 * count. One `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement on SQLite and PostgreSQL alike,
 * so instances sharing the database never both get the same slots.
 */
async function addToWindow(
  db: Db,
  apiKeyId: string,
  windowStart: number,
  slots: number,
): Promise<number> {
  // Identifiers are quoted: PostgreSQL folds unquoted ones to lower case.
  const rows = await db.$queryRaw<{ count: number | bigint }[]>`
    INSERT INTO "api_key_rate_windows" ("apiKeyId", "windowStart", "count")
    VALUES (${apiKeyId}, ${windowStart}, ${slots})
    ON CONFLICT ("apiKeyId", "windowStart")
    DO UPDATE SET "count" = "api_key_rate_windows"."count" + ${slots}
    RETURNING "count"`;
  const count = Number(rows[0]?.count);
  if (count === slots) {
    // This lease opened the window: the key's earlier windows are of no further use.
    await db.apiKeyRateWindow.deleteMany({ where: { apiKeyId, windowStart: { lt: windowStart } } });
  }
  return count;
}

/**
 * A per-key fixed one-minute window limiter whose counter is kept in the database and used from
 * memory: each instance **leases** slots from the key's window row in one atomic increment (up to
 * {@link MAX_LEASE} at a time; only what the limit still allows is granted) and hands them out to
 * requests without touching the database until they are used up. One database write serves many
 * requests instead of one each.
 *
 * The limit holds exactly across instances: the database row is the sum of all leases and a lease
 * is granted only up to the limit, so never more than `perMinute` requests pass in a window, on any
 * number of instances. The tolerance is on the other side: slots another instance leased and has
 * not used yet are not available here, so a request may be refused (429) while up to
 * max(waiting requests, min(MAX_LEASE, remaining/8)) slots per other instance stay unused in that
 * window. Near the limit leases shrink to the requests actually waiting, so a small limit behaves
 * as a shared per-request counter. A process that dies loses its unused slots for the rest of that
 * window (refusing, never over-admitting). Fixed windows let a burst that straddles a boundary fit
 * up to 2×`perMinute` requests into 60 s.
 */
export class RateLimiter {
  private readonly windows = new Map<string, KeyWindow>();

  constructor(private readonly db: Db) {}

  /** Counts one request of `apiKeyId` and decides it. */
  async take(apiKeyId: string, perMinute: number, now: number = Date.now()): Promise<RateDecision> {
    const windowStart = Math.floor(now / RATE_WINDOW_MS);
    const resetSeconds = Math.max(1, Math.ceil(((windowStart + 1) * RATE_WINDOW_MS - now) / 1000));
    let w = this.windows.get(apiKeyId);
    if (w?.windowStart !== windowStart) {
      w = { windowStart, available: 0, known: 0, waiting: 0, lease: null };
      this.windows.set(apiKeyId, w);
    }
    for (;;) {
      if (w.available > 0) {
        w.available--;
        const remaining = Math.max(0, perMinute - w.known + w.available);
        return { ok: true, limit: perMinute, remaining, resetSeconds };
      }
      if (w.known >= perMinute) {
        return {
          ok: false,
          limit: perMinute,
          remaining: 0,
          resetSeconds,
          retryAfterSeconds: resetSeconds,
        };
      }
      if (!w.lease) w.lease = this.lease(w, apiKeyId, perMinute);
      w.waiting++;
      try {
        await w.lease;
      } finally {
        w.waiting--;
      }
    }
  }

  /** One lease for the requests waiting now (and a share of what is left), from the database. */
  private async lease(w: KeyWindow, apiKeyId: string, perMinute: number): Promise<void> {
    // Let the requests arriving in this tick join the lease before its size is decided.
    await Promise.resolve();
    const left = perMinute - w.known;
    const size = Math.max(
      1,
      Math.min(left, Math.max(w.waiting, Math.min(MAX_LEASE, Math.floor(left / LEASE_SHARE)))),
    );
    try {
      const count = await addToWindow(this.db, apiKeyId, w.windowStart, size);
      w.known = count;
      w.available += Math.max(0, Math.min(size, perMinute - (count - size)));
    } finally {
      w.lease = null;
    }
  }
}
