/**
 * Token bucket per API key: `perMinute` requests a minute, with bursts up to the same number.
 * Kept in process memory: with several dashboard instances each enforces the limit on its own
 * share of traffic (documented in the README).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one token for `key`; when none is left, says how many seconds until one is. */
  take(
    key: string,
    perMinute: number,
    now = Date.now(),
  ): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const rate = perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)),
    };
  }
}

const globalForLimiter = globalThis as unknown as { ganmodSubmissionLimiter?: RateLimiter };

/** The process-wide limiter for the submission API. */
export function submissionLimiter(): RateLimiter {
  globalForLimiter.ganmodSubmissionLimiter ??= new RateLimiter();
  return globalForLimiter.ganmodSubmissionLimiter;
}
