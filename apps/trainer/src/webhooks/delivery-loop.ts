/**
 * The worker's webhook delivery loop: lease due deliveries (`claimWebhookDeliveries`), send them
 * concurrently, record each attempt (`recordDeliveryAttempt`), repeat; sleep when none is due.
 * A worker that dies mid-batch loses its leases when they expire and another worker sends the
 * same events again (same `webhook-id`): at least once.
 */
import { claimWebhookDeliveries, recordDeliveryAttempt, type Db } from '@ganmod/db';
import type { Logger } from 'pino';
import { DEFAULT_BACKOFF, nextAttemptAt, type BackoffOptions } from './backoff.js';
import { sendWebhook } from './send.js';
import { sleep } from '../sleep.js';

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
  /** Deliveries leased per round. */
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
  batch: 16,
  perEndpoint: 4,
  leaseMs: 60_000,
  timeoutMs: 10_000,
  maxConsecutiveFailures: 100,
} as const;

/** One round: lease, send, record. Returns how many deliveries were attempted. */
export async function deliverDueWebhooks(options: DeliveryOptions): Promise<number> {
  const o = { ...DELIVERY_DEFAULTS, ...options };
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const claimed = await claimWebhookDeliveries(o.db, {
    workerId: o.workerId,
    limit: o.batch,
    leaseMs: o.leaseMs,
    perEndpoint: o.perEndpoint,
  });
  await Promise.all(
    claimed.map(async (delivery) => {
      const attempt = await sendWebhook(delivery, {
        timeoutMs: o.timeoutMs,
        allowHttpLocalhost: o.allowHttpLocalhost,
      });
      const now = new Date();
      const retryAt = attempt.ok
        ? null
        : nextAttemptAt(delivery.attempts + 1, delivery.roundStartedAt, now, backoff);
      const recorded = await recordDeliveryAttempt(
        o.db,
        delivery,
        o.workerId,
        attempt,
        { retryAt, maxConsecutiveFailures: o.maxConsecutiveFailures },
        now,
      );
      const fields = {
        delivery: delivery.id,
        webhookId: delivery.eventId,
        type: delivery.type,
        status: attempt.statusCode,
      };
      if (!recorded) o.log.warn(fields, 'webhook lease lost: another worker took it over');
      else if (attempt.ok) o.log.debug(fields, 'webhook delivered');
      else if (retryAt)
        o.log.info({ ...fields, retryAt, why: attempt.response }, 'webhook failed; will retry');
      else o.log.warn({ ...fields, why: attempt.response }, 'webhook failed; gave up after 24 h');
    }),
  );
  return claimed.length;
}

/** Delivers webhooks until `signal` aborts (or nothing is due, with `once`). */
export async function deliverWebhooks(options: DeliveryOptions): Promise<void> {
  const pollMs = options.pollMs ?? DELIVERY_DEFAULTS.pollMs;
  while (!options.signal.aborted) {
    let attempted = 0;
    try {
      attempted = await deliverDueWebhooks(options);
    } catch (err) {
      // A database hiccup must not stop training, scoring or later rounds.
      options.log.error({ err }, 'webhook delivery round failed; retrying');
    }
    if (attempted === 0) {
      if (options.once) return;
      await sleep(pollMs, options.signal);
    }
  }
}
