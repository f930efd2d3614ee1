/**
 * The worker's webhook delivery loop. Up to `batch` deliveries are in flight at once: whenever
 * room frees up, one statement leases more (`claimWebhookDeliveries`); each is sent as soon as it
 * is leased; attempts that ended are recorded together, one transaction for all that ended while
 * the previous one committed (`recordDeliveryAttempts`, a group commit). A slow receiver holds
 * only its own slots, not the others'. A worker that dies mid-batch loses its leases when they
 * expire and another worker sends the same events again (same `webhook-id`): at least once.
 */
import {
  claimWebhookDeliveries,
  recordDeliveryAttempts,
  type AttemptRecord,
  type ClaimedDelivery,
  type Db,
} from '@ganmod/db';
import type { Logger } from 'pino';
import { DEFAULT_BACKOFF, nextAttemptAt, type BackoffOptions } from './backoff.js';
import { sendWebhook } from './send.js';

/** Delivery settings (the worker command's `--webhook-*` flags). */
export interface DeliveryOptions {
  db: Db;
  log: Logger;
  workerId: string;
  signal: AbortSignal;
  /** GANMOD_WEBHOOK_HTTP_DEV. */
  allowHttpLocalhost: boolean;
  /** How often to look for due deliveries when none is (ms). */
  pollMs?: number;
  /** Most deliveries in flight in this worker. */
  batch?: number;
  /** Most deliveries in flight to one endpoint, across every worker. */
  perEndpoint?: number;
  /** How long a lease holds (ms): longer than a request may take. */
  leaseMs?: number;
  /** Request timeout (ms). */
  timeoutMs?: number;
  /** Failed attempts in a row that disable an endpoint. */
  maxConsecutiveFailures?: number;
  backoff?: BackoffOptions;
  /** Return once nothing is due. */
  once?: boolean;
}

/** Defaults: short timeouts, a lease well past them, a few requests per endpoint at once. */
export const DELIVERY_DEFAULTS = {
  pollMs: 500,
  batch: 64,
  perEndpoint: 4,
  leaseMs: 60_000,
  timeoutMs: 10_000,
  maxConsecutiveFailures: 100,
} as const;

type Settings = DeliveryOptions &
  Record<keyof typeof DELIVERY_DEFAULTS, number> & { backoff: BackoffOptions };

/** Longest an ended attempt waits for others to be recorded with (ms). */
const FLUSH_WINDOW_MS = 25;

/** Sends one leased delivery; what to record. */
async function attempt(o: Settings, delivery: ClaimedDelivery): Promise<AttemptRecord> {
  const result = await sendWebhook(delivery, {
    timeoutMs: o.timeoutMs,
    allowHttpLocalhost: o.allowHttpLocalhost,
  }).catch((err: unknown) => ({ ok: false, statusCode: null, response: String(err) }));
  const at = new Date();
  const retryAt = result.ok
    ? null
    : nextAttemptAt(delivery.attempts + 1, delivery.roundStartedAt, at, o.backoff);
  return { delivery, attempt: result, retryAt, at };
}

function logRecorded(o: Settings, record: AttemptRecord, recorded: boolean): void {
  const { delivery, attempt: a, retryAt } = record;
  const d = delivery as ClaimedDelivery;
  const fields = { delivery: d.id, webhookId: d.eventId, type: d.type, status: a.statusCode };
  if (!recorded) o.log.warn(fields, 'webhook lease lost: another worker took it over');
  else if (a.ok) o.log.debug(fields, 'webhook delivered');
  else if (retryAt)
    o.log.info({ ...fields, retryAt, why: a.response }, 'webhook failed; will retry');
  else o.log.warn({ ...fields, why: a.response }, 'webhook failed; gave up after 24 h');
}

/**
 * Delivers webhooks until `signal` aborts (or nothing is due and nothing is in flight, with
 * `once`). On abort, claims nothing more and records what is in flight before returning.
 */
export async function deliverWebhooks(options: DeliveryOptions): Promise<void> {
  const o: Settings = {
    ...DELIVERY_DEFAULTS,
    ...options,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
  };
  // Leased and not yet recorded (their slots are held), and of those, still being sent.
  let inFlight = 0;
  let sending = 0;
  let ended: AttemptRecord[] = [];
  let flushing: Promise<void> | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  // Wakes the loop when room frees up (a batch of attempts recorded: their slots are free).
  let wake: (() => void) | null = null;

  const flush = async (): Promise<void> => {
    while (ended.length > 0) {
      const batch = ended;
      ended = [];
      try {
        const recorded = await recordDeliveryAttempts(
          o.db,
          o.workerId,
          batch,
          o.maxConsecutiveFailures,
        );
        batch.forEach((r, i) => logRecorded(o, r, recorded[i] === true));
      } catch (err) {
        // Unrecorded attempts stay leased; once the leases expire they are sent again.
        o.log.error({ err, attempts: batch.length }, 'recording webhook attempts failed');
      }
      inFlight -= batch.length;
      wake?.();
    }
  };
  const startFlush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    flushing ??= flush().finally(() => {
      flushing = null;
      // Attempts that ended as the last batch committed.
      if (ended.length > 0) startFlush();
    });
  };
  // Group commit: attempts that end close together are recorded in one transaction. Recording
  // waits until every attempt in flight has ended, or FLUSH_WINDOW_MS after the first one did.
  const settle = (record: AttemptRecord) => {
    sending--;
    ended.push(record);
    if (sending === 0) startFlush();
    else flushTimer ??= setTimeout(startFlush, FLUSH_WINDOW_MS);
  };

  while (!o.signal.aborted) {
    const room = o.batch - inFlight;
    let claimed: ClaimedDelivery[] = [];
    if (room > 0) {
      try {
        claimed = await claimWebhookDeliveries(o.db, {
          workerId: o.workerId,
          limit: room,
          leaseMs: o.leaseMs,
          perEndpoint: o.perEndpoint,
        });
      } catch (err) {
        // A database hiccup must not stop training, scoring or later rounds.
        o.log.error({ err }, 'claiming webhook deliveries failed; retrying');
      }
    }
    inFlight += claimed.length;
    sending += claimed.length;
    for (const delivery of claimed) void attempt(o, delivery).then(settle);
    if (claimed.length > 0 && claimed.length === room) continue;
    if (inFlight === 0 && o.once) break;
    // Nothing (more) due now: wait for room to free up (when some are in flight), or poll.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, o.pollMs);
      function done() {
        clearTimeout(timer);
        o.signal.removeEventListener('abort', done);
        wake = null;
        resolve();
      }
      o.signal.addEventListener('abort', done);
      if (inFlight > 0) wake = done;
    });
  }
  // Drain: every attempt in flight recorded (the last flush ends with inFlight at 0).
  while (inFlight > 0) {
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
