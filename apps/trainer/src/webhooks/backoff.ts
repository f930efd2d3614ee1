/**
 * When a failed webhook is tried again: exponential backoff with jitter, for up to 24 hours from
 * the start of the round (the event's creation or an admin's replay), then given up.
 */

/** Retry schedule settings. */
export interface BackoffOptions {
  /** Delay after the first failed attempt (ms); doubles after each further one. */
  baseMs: number;
  /** Longest delay between two attempts (ms). */
  maxDelayMs: number;
  /** How long after the round started attempts stop (ms). */
  maxAgeMs: number;
}

/** Standard: 5 s, 10 s, 20 s ... at most 1 h apart, for 24 h. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 5_000,
  maxDelayMs: 60 * 60 * 1000,
  maxAgeMs: 24 * 60 * 60 * 1000,
};

/**
 * When to try again after `failedAttempts` failures (1 after the first), or null to give up.
 * "Equal jitter": half the exponential delay fixed, half random, so receivers coming back up are
 * not hit by every retry at once, yet no retry comes much sooner than the schedule says. The last
 * try is at the end of the window.
 */
export function nextAttemptAt(
  failedAttempts: number,
  roundStartedAt: Date,
  now: Date,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): Date | null {
  const end = roundStartedAt.getTime() + options.maxAgeMs;
  if (now.getTime() >= end) return null;
  const exponential = Math.min(
    options.maxDelayMs,
    options.baseMs * 2 ** Math.min(failedAttempts - 1, 40),
  );
  const delay = exponential / 2 + random() * (exponential / 2);
  return new Date(Math.min(now.getTime() + delay, end));
}
