/**
 * Webhooks: each API key's callback endpoint and signing secrets, the outbox of events, and the
 * deliveries the trainer worker works through (claimed and recorded in webhook-deliveries.ts).
 *
 *   change (score, decision) ──same transaction──▶ WebhookEvent + WebhookDelivery (PENDING)
 *   worker: claim (lease) ──▶ POST ──▶ DELIVERED | retry later (backoff) | FAILED (gave up)
 *
 * A lease that expires (its worker died) is claimable again, so delivery is at least once; the
 * event id (`webhook-id`) is the same on every attempt. Per submission, a delivery is claimable
 * only while no earlier one of the same submission is still PENDING: events arrive in order.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

import type { Db, DbTransaction } from './db-types.js';
import type { WebhookDeliveryStatus } from './generated/sqlite/enums.js';
import type { WebhookEndpoint } from './generated/sqlite/client.js';
import { Prisma } from './generated/sqlite/client.js';
import { publicSubmissionsByIds, type PublicSubmission } from './submission-reads.js';

// ------------------------------------------------------------------------------- vocabulary

/** The events a platform receives. */
export const WEBHOOK_EVENT_TYPES = [
  'submission.scored',
  'submission.decided',
  'submission.refused',
] as const;
/** One of {@link WEBHOOK_EVENT_TYPES}. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The JSON body of every webhook (Standard Webhooks' `{ type, timestamp, data }`). */
export interface WebhookPayload {
  type: WebhookEventType;
  /** ISO 8601, UTC: when the change happened. */
  timestamp: string;
  /** The submission after the change, in the read API's shape. */
  data: PublicSubmission;
}

/** Standard Webhooks' secret prefix; the rest is base64 of the HMAC key. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** How long the secret before a rotation keeps signing (a second signature). */
export const WEBHOOK_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/** A new signing secret: 32 random bytes, `whsec_` + base64. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

const LOOPBACK_ADDRESSES = (() => {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  return list;
})();

/** Addresses a callback must not reach: this machine, private networks, link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, unique-local, unspecified, benchmarking,
 * multicast and reserved. */
const INTERNAL_ADDRESSES = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['192.0.0.0', 24],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ] as const)
    list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const)
    list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/** What an IP address is, for SSRF checks: `loopback` (this machine), `internal` (a private
 * network, link-local, carrier-grade NAT, unique-local, unspecified) or `public`. IPv4-mapped
 * IPv6 addresses count as their IPv4 address. */
export function addressScope(address: string): 'loopback' | 'internal' | 'public' {
  const host = address.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  const ip = mapped ? mapped[1]! : host;
  const family = isIP(ip);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK_ADDRESSES.check(ip, type)) return 'loopback';
  return INTERNAL_ADDRESSES.check(ip, type) ? 'internal' : 'public';
}

/** Whether `hostname` names this machine or an internal network by itself (an IP literal, or
 * `localhost`). Names that resolve to such addresses are caught when connecting (the trainer's
 * webhook sender checks every resolved address with {@link addressScope}). */
function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && addressScope(host) !== 'public';
}

/**
 * Why `url` cannot be a callback URL, or null when it can: https to a public host, or http to this
 * machine (localhost, 127.0.0.0/8, [::1]) only when `allowHttpLocalhost` (a development setting).
 * No credentials in the URL, at most 2,000 characters.
 */
export function webhookUrlProblem(url: string, allowHttpLocalhost: boolean): string | null {
  if (url.length > 2000) return 'the callback URL is longer than 2000 characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the callback URL is not a URL (e.g. https://platform.example.com/hooks/ganmod)';
  }
  if (parsed.username || parsed.password) return 'the callback URL must not contain credentials';
  if (parsed.protocol === 'https:') {
    // Not this machine or an internal network (SSRF), unless developing against a local receiver.
    if (isInternalHost(parsed.hostname) && !(allowHttpLocalhost && isLoopback(parsed.hostname)))
      return `the callback URL must reach a public host, not ${parsed.hostname}`;
    return null;
  }
  if (parsed.protocol === 'http:') {
    if (!isLoopback(parsed.hostname))
      return 'the callback URL must use https (http is allowed only to localhost)';
    if (!allowHttpLocalhost)
      return 'http to localhost is a development setting: set GANMOD_WEBHOOK_HTTP_DEV=1';
    return null;
  }
  return `the callback URL must use https, not ${parsed.protocol.replace(':', '')}`;
}

// -------------------------------------------------------------------------------- endpoints

/** The secrets that sign now: the current one, and the previous one during its grace period. */
export function signingSecrets(
  endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  now = new Date(),
): string[] {
  const previousLive =
    endpoint.previousSecret !== null &&
    endpoint.previousSecretExpiresAt !== null &&
    endpoint.previousSecretExpiresAt > now;
  return previousLive ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}

/**
 * Sets the key's callback URL: creates the endpoint with a new secret, or changes its URL. Either
 * way the endpoint is enabled again with its failure count reset (an admin fixing a disabled one).
 * Validate the URL with {@link webhookUrlProblem} first.
 */
export async function setWebhookEndpoint(
  db: Db,
  apiKeyId: string,
  url: string,
): Promise<WebhookEndpoint> {
  const enable = { enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 };
  return db.webhookEndpoint.upsert({
    where: { apiKeyId },
    create: { apiKeyId, url, secret: generateWebhookSecret() },
    update: { url, ...enable },
  });
}

/** Removes the key's endpoint and its delivery history (events stay with their items). */
export async function clearWebhookEndpoint(db: Db, apiKeyId: string): Promise<boolean> {
  const { count } = await db.webhookEndpoint.deleteMany({ where: { apiKeyId } });
  return count > 0;
}

/**
 * Replaces the key's signing secret. The old one keeps signing alongside for `graceMs`, so a
 * platform can switch without losing a webhook. Returns null when the key has no endpoint.
 */
export async function rotateWebhookSecret(
  db: Db,
  apiKeyId: string,
  now = new Date(),
  graceMs = WEBHOOK_SECRET_GRACE_MS,
): Promise<WebhookEndpoint | null> {
  return db.$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.findUnique({ where: { apiKeyId } });
    if (!endpoint) return null;
    return tx.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: {
        secret: generateWebhookSecret(),
        previousSecret: endpoint.secret,
        previousSecretExpiresAt: new Date(now.getTime() + graceMs),
      },
    });
  });
}

// ---------------------------------------------------------------------------------- outbox

/** One event for {@link enqueueSubmissionEvents}: the item that changed and what happened. */
export interface SubmissionEventInput {
  itemId: string;
  type: WebhookEventType;
}

/**
 * Writes `type` for the item to the outbox, with a delivery to its key's endpoint, when the item
 * was submitted with a key that has an enabled endpoint (else nothing). Call it inside the
 * transaction that made the change, after the change: the payload is the item as it now is, and
 * the event exists exactly when the change does. Items of one submission are changed one at a
 * time (the item's version guard), so `max(sequence) + 1` is the next number.
 * The one-event form of {@link enqueueSubmissionEvents}.
 */
export async function enqueueSubmissionEvent(
  tx: Db | DbTransaction,
  itemId: string,
  type: WebhookEventType,
  now = new Date(),
): Promise<string | null> {
  const [id] = await enqueueSubmissionEvents(tx, [{ itemId, type }], now);
  return id ?? null;
}

/**
 * {@link enqueueSubmissionEvent} for many changed items at once (a scoring batch), set-based: one
 * query finds the items whose key (not revoked) has an enabled endpoint; only when some do, one
 * query reads their payloads, one their last sequence numbers, and one statement each inserts the
 * events and the deliveries. Each event numbers on from its item's last one (`max(sequence) + 1`;
 * an item listed twice gets two numbers, in input order), exactly as one call per item would.
 * Returns the event ids in input order (null where nothing was written).
 */
export async function enqueueSubmissionEvents(
  tx: Db | DbTransaction,
  events: readonly SubmissionEventInput[],
  now = new Date(),
): Promise<(string | null)[]> {
  if (events.length === 0) return [];
  const itemIds = [...new Set(events.map((e) => e.itemId))];
  // A revoked key's platform is no longer told anything (its domain may have changed hands).
  const targets = await tx.$queryRaw<{ itemId: string; endpointId: string }[]>`
    SELECT c."id" AS "itemId", e."id" AS "endpointId"
    FROM "content_items" c
    JOIN "api_keys" k ON k."id" = c."submittedByKeyId"
    JOIN "webhook_endpoints" e ON e."apiKeyId" = k."id"
    WHERE c."id" IN (${Prisma.join(itemIds)}) AND k."revokedAt" IS NULL AND e."enabled" = TRUE`;
  if (targets.length === 0) return events.map(() => null);
  const endpointOf = new Map(targets.map((t) => [t.itemId, t.endpointId]));
  const told = [...endpointOf.keys()];
  const [payloads, last] = await Promise.all([
    publicSubmissionsByIds(tx, told),
    tx.webhookEvent.groupBy({
      by: ['itemId'],
      where: { itemId: { in: told } },
      _max: { sequence: true },
    }),
  ]);
  const nextSequence = new Map(told.map((id) => [id, 1]));
  for (const row of last) nextSequence.set(row.itemId, (row._max.sequence ?? 0) + 1);
  const rows = events.map((e) => {
    const endpointId = endpointOf.get(e.itemId);
    const data = payloads.get(e.itemId);
    if (endpointId === undefined || data === undefined) return null;
    const sequence = nextSequence.get(e.itemId) ?? 1;
    nextSequence.set(e.itemId, sequence + 1);
    const payload: WebhookPayload = { type: e.type, timestamp: now.toISOString(), data };
    return {
      id: `msg_${randomUUID().replaceAll('-', '')}`,
      itemId: e.itemId,
      type: e.type,
      sequence,
      payload: JSON.stringify(payload),
      endpointId,
    };
  });
  const written = rows.filter((r) => r !== null);
  if (written.length > 0) {
    await tx.webhookEvent.createMany({
      data: written.map(({ endpointId: _endpointId, ...event }) => ({ ...event, createdAt: now })),
    });
    await tx.webhookDelivery.createMany({
      data: written.map((r) => ({
        eventId: r.id,
        endpointId: r.endpointId,
        itemId: r.itemId,
        sequence: r.sequence,
        nextAttemptAt: now,
        roundStartedAt: now,
        createdAt: now,
      })),
    });
  }
  return rows.map((r) => r?.id ?? null);
}

// ------------------------------------------------------------------------------ deliveries
// Claiming and recording attempts: webhook-deliveries.ts.

/**
 * Sends a delivery again (an admin's replay): PENDING, due now, attempts counted from zero, the
 * same event and so the same `webhook-id`. A replay of an old event reaches the receiver after
 * later ones: receivers order by the payload's `timestamp` and `data.updatedAt`. False when there
 * is no such delivery or a worker is sending it right now.
 */
export async function replayWebhookDelivery(
  db: Db,
  deliveryId: string,
  now = new Date(),
): Promise<boolean> {
  const { count } = await db.webhookDelivery.updateMany({
    // Not while a worker is sending it: that attempt's outcome will be recorded.
    where: {
      id: deliveryId,
      OR: [
        { status: { not: 'PENDING' } },
        { leaseExpiresAt: null },
        { leaseExpiresAt: { lt: now } },
      ],
    },
    data: {
      status: 'PENDING',
      attempts: 0,
      nextAttemptAt: now,
      roundStartedAt: now,
      deliveredAt: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      leaseSlot: null,
    },
  });
  return count === 1;
}

/** One row of the admin's deliveries list. */
export const webhookDeliveryListSelect = {
  id: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastAttemptAt: true,
  lastStatusCode: true,
  lastResponse: true,
  deliveredAt: true,
  createdAt: true,
  sequence: true,
  event: { select: { id: true, type: true, item: { select: { externalId: true } } } },
  endpoint: {
    select: {
      url: true,
      enabled: true,
      disabledReason: true,
      apiKey: { select: { id: true, name: true } },
    },
  },
} as const;

/** The latest deliveries, newest first, optionally of one status or one key. */
export function listWebhookDeliveries(
  db: Db,
  options: {
    status?: WebhookDeliveryStatus | undefined;
    apiKeyId?: string | undefined;
    limit: number;
  },
) {
  return db.webhookDelivery.findMany({
    where: {
      ...(options.status ? { status: options.status } : {}),
      ...(options.apiKeyId ? { endpoint: { apiKeyId: options.apiKeyId } } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: options.limit,
    select: webhookDeliveryListSelect,
  });
}
