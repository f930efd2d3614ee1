/** The worker command's webhook delivery flags and what they become. */
import { loadEnvironment } from '@ganmod/config';
import { Option } from 'commander';
import { DEFAULT_BACKOFF } from './backoff.js';
import { DELIVERY_DEFAULTS, type DeliveryOptions } from './delivery-loop.js';

/** The flags as commander parses them (strings until checked). */
export interface WebhookFlags {
  webhooks?: boolean;
  webhookPoll: string;
  webhookRetry: string;
  webhookLease: string;
  webhookTimeout: string;
  webhookConcurrency: string;
  webhookMaxFailures: string;
}

/** `--no-webhooks` and the `--webhook-*` tuning flags. */
export function webhookOptions(): Option[] {
  return [
    new Option('--no-webhooks', 'do not deliver webhooks from the outbox'),
    new Option('--webhook-poll <ms>', 'how often to look for due webhooks').default(
      String(DELIVERY_DEFAULTS.pollMs),
    ),
    new Option(
      '--webhook-retry <ms>',
      'delay before the first retry of a failed webhook (doubles, jittered, up to 1 h; 24 h in all)',
    ).default(String(DEFAULT_BACKOFF.baseMs)),
    new Option(
      '--webhook-lease <ms>',
      'how long a worker holds a delivery; another takes it over after',
    ).default(String(DELIVERY_DEFAULTS.leaseMs)),
    new Option('--webhook-timeout <ms>', 'webhook request timeout').default(
      String(DELIVERY_DEFAULTS.timeoutMs),
    ),
    new Option(
      '--webhook-concurrency <n>',
      'most webhooks in flight to one endpoint, across every worker',
    ).default(String(DELIVERY_DEFAULTS.perEndpoint)),
    new Option(
      '--webhook-max-failures <n>',
      'failed attempts in a row that disable an endpoint',
    ).default(String(DELIVERY_DEFAULTS.maxConsecutiveFailures)),
  ];
}

/** The delivery settings, or undefined with `--no-webhooks`. */
export function webhookSettings(
  flags: WebhookFlags,
  int: (value: string, flag: string, min: number) => number,
): Omit<DeliveryOptions, 'db' | 'log' | 'signal' | 'workerId' | 'once'> | undefined {
  if (flags.webhooks === false) return undefined;
  const timeoutMs = int(flags.webhookTimeout, '--webhook-timeout', 100);
  return {
    allowHttpLocalhost: loadEnvironment().webhookAllowHttpLocalhost,
    pollMs: int(flags.webhookPoll, '--webhook-poll', 10),
    leaseMs: Math.max(int(flags.webhookLease, '--webhook-lease', 1000), timeoutMs + 1000),
    timeoutMs,
    perEndpoint: int(flags.webhookConcurrency, '--webhook-concurrency', 1),
    maxConsecutiveFailures: int(flags.webhookMaxFailures, '--webhook-max-failures', 1),
    backoff: { ...DEFAULT_BACKOFF, baseMs: int(flags.webhookRetry, '--webhook-retry', 10) },
  };
}
