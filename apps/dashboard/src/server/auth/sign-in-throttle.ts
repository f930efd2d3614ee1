// Sign-in throttling, in memory: per process, bounded, forgotten on restart. Several dashboard
// processes each keep their own counts, so an attacker spread over N processes gets N times the
// attempts; the password policy remains the main defence.

/** The knobs of {@link SignInThrottle}. */
export interface ThrottleOptions {
  /** Failures for one account from one address before backoff starts. */
  freeFailures: number;
  /** First backoff delay; it doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures (any accounts) one address may make per window. */
  addressMaxFailures: number;
  addressWindowMs: number;
  /** Most entries kept per table; the oldest are dropped beyond it. */
  maxEntries: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  addressMaxFailures: 20,
  addressWindowMs: 15 * 60_000,
  maxEntries: 10_000,
};

interface PairState {
  failures: number;
  lastFailureAt: number;
}

interface AddressState {
  failures: number;
  windowStart: number;
}

/** An attempt under way: its outcome is reported back through {@link SignInThrottle.finish}. */
export interface Attempt {
  address: string;
  account: string;
}

export type ThrottleDecision =
  | { allowed: true; attempt: Attempt }
  | { allowed: false; retryAfterSeconds: number; reason: string };

/**
 * Limits password guessing per client address and per (address, account): after
 * `freeFailures` failures for one account from one address each further try waits an exponentially
 * growing delay, and one address may fail at most `addressMaxFailures` times per window whatever
 * the accounts. Other addresses are never held back by one address's failures, so an attacker
 * cannot lock people out, and since the address comes from the socket (see server/server.ts)
 * rotating X-Forwarded-For gains nothing. An attempt counts as a failure from the moment it
 * starts, so a burst of parallel guesses is held back too; success or a non-verdict undoes it.
 */
export class SignInThrottle {
  private readonly pairs = new Map<string, PairState>();
  private readonly addresses = new Map<string, AddressState>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Decides whether `address` may try a password for `account` now, and if so records the try. */
  begin(address: string, account: string, now = Date.now()): ThrottleDecision {
    const o = this.options;
    const key = pairKey(address, account);
    let byAddress = this.addresses.get(address);
    if (byAddress && now - byAddress.windowStart >= o.addressWindowMs) byAddress = undefined;
    if (byAddress && byAddress.failures >= o.addressMaxFailures) {
      return refused(
        byAddress.windowStart + o.addressWindowMs - now,
        'Too many failed sign-ins from this address.',
      );
    }
    const pair = this.pairs.get(key);
    if (pair && pair.failures >= o.freeFailures) {
      const wait = pair.lastFailureAt + this.delay(pair.failures) - now;
      if (wait > 0) return refused(wait, 'Too many failed sign-ins for this account.');
    }
    this.touch(this.addresses, address, {
      failures: (byAddress?.failures ?? 0) + 1,
      windowStart: byAddress?.windowStart ?? now,
    });
    this.touch(this.pairs, key, { failures: (pair?.failures ?? 0) + 1, lastFailureAt: now });
    this.prune(now);
    return { allowed: true, attempt: { address, account } };
  }

  /**
   * Reports how an attempt ended: `failure` (wrong password) keeps it counted, `success` clears
   * the account's count from that address, `none` (no verdict on the password) undoes it.
   */
  finish(attempt: Attempt, outcome: 'success' | 'failure' | 'none', now = Date.now()): void {
    const key = pairKey(attempt.address, attempt.account);
    const pair = this.pairs.get(key);
    const byAddress = this.addresses.get(attempt.address);
    if (outcome === 'failure') {
      if (pair) pair.lastFailureAt = now;
      return;
    }
    if (byAddress) byAddress.failures = Math.max(0, byAddress.failures - 1);
    if (!pair) return;
    if (outcome === 'success' || pair.failures <= 1) this.pairs.delete(key);
    else pair.failures -= 1;
  }

  /** Entries held, for tests of the bound. */
  get size(): { pairs: number; addresses: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size };
  }

  private delay(failures: number): number {
    const steps = failures - this.options.freeFailures;
    return Math.min(this.options.baseDelayMs * 2 ** Math.min(steps, 40), this.options.maxDelayMs);
  }

  /** Writes an entry as the newest (Map order is insertion order: oldest first). */
  private touch<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
  }

  private prune(now: number): void {
    const o = this.options;
    if (this.pairs.size > o.maxEntries) {
      for (const [key, p] of this.pairs) {
        if (now - p.lastFailureAt > Math.max(this.delay(p.failures), o.addressWindowMs)) {
          this.pairs.delete(key);
        }
      }
      dropOldest(this.pairs, o.maxEntries);
    }
    if (this.addresses.size > o.maxEntries) {
      for (const [key, a] of this.addresses) {
        if (now - a.windowStart >= o.addressWindowMs) this.addresses.delete(key);
      }
      dropOldest(this.addresses, o.maxEntries);
    }
  }
}

function pairKey(address: string, account: string): string {
  return `${address}\u0000${account}`;
}

function refused(waitMs: number, reason: string): ThrottleDecision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), reason };
}

function dropOldest<T>(map: Map<string, T>, keep: number): void {
  for (const key of map.keys()) {
    if (map.size <= keep) return;
    map.delete(key);
  }
}
