import { loadEnvironment } from '@ganmod/config';
import type { ApiKey, Db } from '@ganmod/db/client';
import { getDb } from '../db.ts';
import { apiKeyFromAuthorization } from './api-keys.ts';
import { answerAfterDiscarding } from './discard-body.ts';
import { RateLimiter, type RateState } from './rate-limit.ts';
import { StageTimer } from './stage-timer.ts';

/**
 * An answer of the platform API before it is sent: the server's own routes write it to the Node
 * response, route handlers under Next turn it into a `Response` ({@link toResponse}).
 */
export interface Answer {
  status: number;
  /** Sent as JSON. */
  json: unknown;
  headers?: Record<string, string>;
}

/** The `Response` of an {@link Answer}. */
export function toResponse(answer: Answer): Response {
  return Response.json(answer.json, {
    status: answer.status,
    ...(answer.headers ? { headers: answer.headers } : {}),
  });
}

/** A JSON error of the platform API, `{ "error": "<what is wrong>" }`, as an {@link Answer}. */
export function problemAnswer(
  status: number,
  error: string,
  headers?: Record<string, string>,
): Answer {
  return { status, json: { error }, ...(headers ? { headers } : {}) };
}

/** A JSON error of the platform API: `{ "error": "<what is wrong>" }`. */
export function problem(status: number, error: string, headers?: Record<string, string>) {
  return toResponse(problemAnswer(status, error, headers));
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
    `No such endpoint: ${req.method} ${path.slice(0, 200)}. See /api/v1/openapi.json for the API's paths.`,
  );
}

/** What an authenticated platform handler gets: the caller's key, the database, the stage clock. */
export interface PlatformCall {
  key: ApiKey;
  db: Db;
  timer: StageTimer;
}

// One limiter per server process (its leases are this process's share of each key's window).
const globalForLimiter = globalThis as unknown as { ganmodRateLimiter?: RateLimiter };
function limiter(db: Db): RateLimiter {
  globalForLimiter.ganmodRateLimiter ??= new RateLimiter(db);
  return globalForLimiter.ganmodRateLimiter;
}

/** `lastUsedAt` is written at most this often per key: it is shown to admins, not counted. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The `RateLimit-*` headers (IETF draft "RateLimit header fields for HTTP", delta seconds). */
export function rateLimitHeaders(state: RateState): Record<string, string> {
  return {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(state.resetSeconds),
  };
}

/**
 * Authenticates a platform request by its bearer key (the `Authorization` header's value) and
 * counts it against the key's requests-per-minute (every request under /api/v1 with a key shares
 * one limit, enforced across dashboard instances through the database: {@link RateLimiter}).
 * Returns the key and the window's state, or the 401 / 429 answer to send.
 */
export async function authorizePlatformRequest(
  db: Db,
  authorization: string | null,
  timer?: StageTimer,
): Promise<
  { ok: true; key: ApiKey; rate: RateState } | { ok: false; answer: Answer; rate?: RateState }
> {
  const key = await apiKeyFromAuthorization(db, authorization);
  timer?.mark('auth');
  if (!key) {
    return {
      ok: false,
      answer: problemAnswer(
        401,
        'Missing, unknown or revoked API key. Send `Authorization: Bearer <key>`.',
      ),
    };
  }
  const rate = await limiter(db).take(key.id, key.rateLimitPerMinute);
  timer?.mark('rate');
  if (!rate.ok) {
    return {
      ok: false,
      rate,
      answer: problemAnswer(429, `Rate limit of ${rate.limit} requests per minute exceeded.`, {
        'Retry-After': String(rate.retryAfterSeconds),
      }),
    };
  }
  noteUse(db, key);
  return { ok: true, key, rate };
}

// When this process last wrote each key's lastUsedAt: the requests read before that write commits
// still see the old time, and must not each write it again.
const lastNoted = new Map<string, number>();

/** Writes the key's `lastUsedAt` when it is older than {@link LAST_USED_RESOLUTION_MS}. */
function noteUse(db: Db, key: ApiKey): void {
  const now = Date.now();
  const seen = Math.max(key.lastUsedAt?.getTime() ?? 0, lastNoted.get(key.id) ?? 0);
  if (now - seen <= LAST_USED_RESOLUTION_MS) return;
  lastNoted.set(key.id, now);
  // Beside the answer: the platform does not wait for the bookkeeping, and a failure to note the
  // time is no reason to refuse the request.
  void db.apiKey
    .update({ where: { id: key.id }, data: { lastUsedAt: new Date() } })
    .catch((err: unknown) => console.error('api key lastUsedAt:', err));
}

/**
 * The headers every answer of the platform API carries: the key's rate-limit state, no caching,
 * and the stage timings when `GANMOD_SERVER_TIMING` is on. Marks the end of the `respond` stage.
 */
export function platformHeaders(
  rate: RateState | undefined,
  timer: StageTimer,
): Record<string, string> {
  // A key's data is not for caches; `no-transform` also spares small JSON the server's gzip.
  const headers: Record<string, string> = {
    ...(rate ? rateLimitHeaders(rate) : {}),
    'Cache-Control': 'no-store, no-transform',
  };
  timer.mark('respond');
  // Only for benchmarks: the stages would tell a key whether another key's image was already
  // stored (a file that exists is not written again), a cross-tenant timing oracle.
  if (loadEnvironment().vars.GANMOD_SERVER_TIMING) headers['Server-Timing'] = timer.header();
  return headers;
}

/** Sets the key's rate-limit state and the stage timings on an answer ({@link platformHeaders}). */
function finish(response: Response, rate: RateState | undefined, timer: StageTimer): Response {
  for (const [name, value] of Object.entries(platformHeaders(rate, timer))) {
    // A route's own Cache-Control stands.
    if (name !== 'Cache-Control' || !response.headers.has(name)) response.headers.set(name, value);
  }
  return response;
}

/**
 * A route handler of the platform API: authenticates the key, counts the request, runs `handle`
 * and sends its answer, or the 401 / 429, with `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` (and `Retry-After` on 429), and `Server-Timing` when `GANMOD_SERVER_TIMING`
 * is on. An unread request body is
 * discarded before the answer (answering mid-upload would reset the client's connection).
 *
 * @param anonymous what to answer a request that carries no `Authorization` header at all (a 404
 *   for an unknown path, a 405), without counting it; by default such a request gets the 401.
 */
export function platformRoute<Ctx = unknown>(
  handle: (req: Request, call: PlatformCall, ctx: Ctx) => Promise<Response> | Response,
  anonymous?: (req: Request) => Response,
): (req: Request, ctx: Ctx) => Promise<Response> {
  return async (req, ctx) => {
    if (anonymous && !req.headers.has('authorization'))
      return answerAfterDiscarding(req, anonymous(req));
    const db = getDb();
    const timer = new StageTimer();
    const auth = await authorizePlatformRequest(db, req.headers.get('authorization'), timer);
    if (!auth.ok)
      return answerAfterDiscarding(req, finish(toResponse(auth.answer), auth.rate, timer));
    const response = await handle(req, { key: auth.key, db, timer }, ctx);
    return answerAfterDiscarding(req, finish(response, auth.rate, timer));
  };
}

/** The answer to every method a route does not serve: a JSON 405 with `Allow`. */
export function otherMethods(allow: readonly string[]) {
  const answer = () => methodNotAllowed(allow);
  return platformRoute(answer, answer);
}
