/**
 * The delivery side of the webhook outbox: workers lease due deliveries a batch at a time and
 * record a batch of attempts in one transaction.
 *
 *   claim: one UPDATE … RETURNING leases up to `limit` due deliveries, each in a free slot of its
 *          endpoint's `perEndpoint` (the unique (endpointId, leaseSlot) holds the cap across workers)
 *   record: one transaction per batch: DELIVERED (one statement for all that answered alike),
 *          retried later or FAILED, endpoint failure counts, disabling at the limit
 *
 * A lease that expires (its worker died) is claimable again, so delivery is at least once; the
 * event id (`webhook-id`) is the same on every attempt. Per submission, a delivery is claimable
 * only while no earlier one of the same submission is still PENDING: events arrive in order.
 */
import { clientProvider } from './client-provider.js';
import type { Db, DbTransaction } from './db-types.js';
import { isUniqueConstraintError } from './errors.js';
import { Prisma } from './generated/sqlite/client.js';
import { signingSecrets } from './webhooks.js';

/** A delivery a worker holds the lease on: everything needed to send it. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  type: string;
  payload: string;
  endpointId: string;
  url: string;
  /** Sign with each (Standard Webhooks: space-separated signatures). */
  secrets: string[];
  /** Attempts before this one. */
  attempts: number;
  roundStartedAt: Date;
  /** The endpoint's failed attempts in a row when leased (0: a success has nothing to reset). */
  endpointFailures: number;
}

/** Options of {@link claimWebhookDeliveries}. */
export interface ClaimDeliveriesOptions {
  workerId: string;
  /** Most deliveries to claim. */
  limit: number;
  /** How long the claim holds; a worker that dies loses it after this (ms). */
  leaseMs: number;
  /** Most deliveries in flight to one endpoint, across all workers. */
  perEndpoint: number;
  now?: Date;
}

function isSqlite(db: Db): boolean {
  return clientProvider(db) === 'sqlite';
}

/** Claim attempts before giving up for this round (each lost race or stale slot costs one). */
const CLAIM_TRIES = 4;

/**
 * The claim, one statement on SQLite and PostgreSQL alike. `due`: PENDING, due, unleased (or the
 * lease expired), endpoint enabled, key not revoked, and its submission's earliest PENDING
 * delivery; ranked per endpoint and matched to the endpoint's free slots (not held by a live
 * lease), so the n-th due delivery of an endpoint gets its n-th free slot. On PostgreSQL the due
 * rows are locked `SKIP LOCKED`, so concurrent workers claim disjoint rows; two workers picking the
 * same free slot collide on the unique (endpointId, leaseSlot) and the loser claims again.
 * `MATERIALIZED`: the picks are computed once, before any row changes.
 */
function claimStatement(db: Db, o: Required<ClaimDeliveriesOptions>): Prisma.Sql {
  const lock = isSqlite(db) ? Prisma.empty : Prisma.raw('FOR UPDATE OF d SKIP LOCKED');
  const leaseExpiresAt = new Date(o.now.getTime() + o.leaseMs);
  // Endpoints with full slots take room in the scan: look past them, within reason.
  const scan = Math.max(o.limit * 4, 64);
  return Prisma.sql`
    WITH RECURSIVE
    slot_numbers (slot) AS (
      SELECT 0 UNION ALL SELECT slot + 1 FROM slot_numbers WHERE slot + 1 < ${o.perEndpoint}
    ),
    due AS (
      SELECT d."id", d."endpointId", d."nextAttemptAt", d."sequence"
      FROM "webhook_deliveries" d
      JOIN "webhook_endpoints" e ON e."id" = d."endpointId"
      JOIN "api_keys" k ON k."id" = e."apiKeyId"
      WHERE d."status" = 'PENDING' AND d."nextAttemptAt" <= ${o.now}
        AND (d."leaseExpiresAt" IS NULL OR d."leaseExpiresAt" < ${o.now})
        AND e."enabled" AND k."revokedAt" IS NULL
        AND NOT EXISTS (
          SELECT 1 FROM "webhook_deliveries" p
          WHERE p."itemId" = d."itemId" AND p."endpointId" = d."endpointId"
            AND p."status" = 'PENDING' AND p."sequence" < d."sequence")
      ORDER BY d."nextAttemptAt", d."sequence", d."id"
      LIMIT ${scan}
      ${lock}
    ),
    ranked AS (
      SELECT "id", "endpointId",
        row_number() OVER (PARTITION BY "endpointId" ORDER BY "nextAttemptAt", "sequence", "id") AS n,
        row_number() OVER (ORDER BY "nextAttemptAt", "sequence", "id") AS g
      FROM due
    ),
    free AS (
      SELECT e."endpointId", s.slot, row_number() OVER (PARTITION BY e."endpointId" ORDER BY s.slot) AS n
      FROM (SELECT DISTINCT "endpointId" FROM due) e CROSS JOIN slot_numbers s
      WHERE NOT EXISTS (
        SELECT 1 FROM "webhook_deliveries" l
        WHERE l."endpointId" = e."endpointId" AND l."leaseSlot" = s.slot
          AND l."status" = 'PENDING' AND l."leaseExpiresAt" >= ${o.now})
    ),
    picked AS MATERIALIZED (
      SELECT r."id" AS "pickedId", f.slot AS "pickedSlot"
      FROM ranked r JOIN free f ON f."endpointId" = r."endpointId" AND f.n = r.n
      ORDER BY r.g
      LIMIT ${o.limit}
    )
    UPDATE "webhook_deliveries"
    SET "leaseOwner" = ${o.workerId}, "leaseExpiresAt" = ${leaseExpiresAt},
      "leaseSlot" = picked."pickedSlot"
    FROM picked
    WHERE "webhook_deliveries"."id" = picked."pickedId"
      AND "webhook_deliveries"."status" = 'PENDING'
      AND ("webhook_deliveries"."leaseExpiresAt" IS NULL
        OR "webhook_deliveries"."leaseExpiresAt" < ${o.now})
    RETURNING "webhook_deliveries"."id"`;
}

/**
 * Frees slots still held by leases that expired (their worker died), so the claim can hand them
 * out again; returns how many. Only needed after a claim hit one. (Recording an attempt or a
 * replay releases the slot, so only PENDING rows can hold a stale one.)
 */
async function freeStaleSlots(db: Db, now: Date): Promise<number> {
  const { count } = await db.webhookDelivery.updateMany({
    where: {
      status: 'PENDING',
      leaseSlot: { not: null },
      OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }],
    },
    data: { leaseSlot: null },
  });
  return count;
}

/** Runs the claim statement; returns the ids leased. */
async function leaseDue(db: Db, o: Required<ClaimDeliveriesOptions>): Promise<string[]> {
  for (let tries = 1; ; tries++) {
    try {
      const rows = await db.$queryRaw<{ id: string }[]>(claimStatement(db, o));
      return rows.map((r) => r.id);
    } catch (err) {
      if (!isUniqueConstraintError(err) || tries >= CLAIM_TRIES) throw err;
      // A slot still held by an expired lease: free it and claim again. Else another worker
      // took the same free slot just now: it holds the endpoint's slots, so this one waits.
      if ((await freeStaleSlots(db, o.now)) === 0) return [];
    }
  }
}

/**
 * Leases up to `limit` due deliveries in one statement (see the module comment): the per-endpoint
 * cap holds across every worker, a submission's deliveries go one at a time in sequence, and a
 * dead worker's deliveries are taken over once their lease expires. Returns them oldest due first.
 */
export async function claimWebhookDeliveries(
  db: Db,
  options: ClaimDeliveriesOptions,
): Promise<ClaimedDelivery[]> {
  const o = { ...options, now: options.now ?? new Date() };
  // SQLite has one writer at a time and the claim is a write: an idle worker polling must not
  // queue for the lock (and hold up the dashboard's writes) when a read shows nothing is due.
  if (isSqlite(db)) {
    const due = await db.webhookDelivery.findFirst({
      where: {
        status: 'PENDING',
        nextAttemptAt: { lte: o.now },
        OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: o.now } }],
      },
      select: { id: true },
    });
    if (!due) return [];
  }
  const ids = await leaseDue(db, o);
  if (ids.length === 0) return [];
  const rows = await db.webhookDelivery.findMany({
    where: { id: { in: ids }, leaseOwner: o.workerId },
    include: { event: true, endpoint: true },
    orderBy: [{ nextAttemptAt: 'asc' }, { sequence: 'asc' }, { id: 'asc' }],
  });
  return rows.map((r) => ({
    id: r.id,
    eventId: r.eventId,
    type: r.event.type,
    payload: r.event.payload,
    endpointId: r.endpointId,
    url: r.endpoint.url,
    secrets: signingSecrets(r.endpoint, o.now),
    attempts: r.attempts,
    roundStartedAt: r.roundStartedAt,
    endpointFailures: r.endpoint.consecutiveFailures,
  }));
}

/** How one attempt went. */
export interface DeliveryAttempt {
  /** A 2xx response. */
  ok: boolean;
  /** The response status; null when there was none (refused, timed out, redirect refused). */
  statusCode: number | null;
  /** The start of the response body, or what went wrong. */
  response: string;
}

/** What to do after a failed attempt. */
export interface RetryPlan {
  /** When to try again; null gives up (FAILED). */
  retryAt: Date | null;
  /** Failed attempts in a row after which the endpoint is disabled. */
  maxConsecutiveFailures: number;
}

/** One attempt of a batch, for {@link recordDeliveryAttempts}. */
export interface AttemptRecord {
  delivery: Pick<ClaimedDelivery, 'id' | 'endpointId'> & { endpointFailures?: number };
  attempt: DeliveryAttempt;
  /** After a failure: when to try again; null gives up (FAILED). Unused after a success. */
  retryAt: Date | null;
  /** When the attempt ended. */
  at: Date;
}

/** Longest stored excerpt of a response. */
export const RESPONSE_EXCERPT_CHARS = 500;

const released = { leaseOwner: null, leaseExpiresAt: null, leaseSlot: null } as const;

/** Marks the successes DELIVERED, one statement per distinct (status, response); returns the ids
 * recorded (the others' leases were lost). */
async function recordSuccesses(
  tx: DbTransaction,
  workerId: string,
  successes: AttemptRecord[],
  now: Date,
): Promise<Set<string>> {
  const groups = new Map<string, AttemptRecord[]>();
  for (const r of successes) {
    const key = `${r.attempt.statusCode} ${r.attempt.response}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const recorded = new Set<string>();
  for (const group of groups.values()) {
    const { attempt } = group[0]!;
    const rows = await tx.webhookDelivery.updateManyAndReturn({
      where: {
        id: { in: group.map((r) => r.delivery.id) },
        status: 'PENDING',
        leaseOwner: workerId,
      },
      data: {
        ...released,
        status: 'DELIVERED',
        attempts: { increment: 1 },
        lastAttemptAt: now,
        deliveredAt: now,
        lastStatusCode: attempt.statusCode,
        lastResponse: attempt.response.slice(0, RESPONSE_EXCERPT_CHARS),
      },
      select: { id: true },
    });
    for (const row of rows) recorded.add(row.id);
  }
  return recorded;
}

/**
 * Brings each endpoint's failed-attempts-in-a-row count up to date with the recorded attempts
 * (in the order they ended), and disables an endpoint that reached the limit, with the reason.
 */
async function settleEndpoints(
  tx: DbTransaction,
  records: AttemptRecord[],
  maxConsecutiveFailures: number,
  now: Date,
): Promise<void> {
  const byEndpoint = new Map<string, AttemptRecord[]>();
  for (const r of [...records].sort((a, b) => a.at.getTime() - b.at.getTime()))
    byEndpoint.set(r.delivery.endpointId, [...(byEndpoint.get(r.delivery.endpointId) ?? []), r]);
  for (const [endpointId, attempts] of byEndpoint) {
    const lastOk = attempts.findLastIndex((r) => r.attempt.ok);
    const failuresAfter = attempts.length - 1 - lastOk;
    if (lastOk >= 0 && failuresAfter === 0) {
      // The common case: nothing to reset unless the endpoint was failing when leased.
      if (attempts.every((r) => r.delivery.endpointFailures === 0)) continue;
      await tx.webhookEndpoint.updateMany({
        where: { id: endpointId, consecutiveFailures: { gt: 0 } },
        data: { consecutiveFailures: 0 },
      });
      continue;
    }
    const endpoint = await tx.webhookEndpoint.update({
      where: { id: endpointId },
      data: {
        consecutiveFailures: lastOk >= 0 ? failuresAfter : { increment: failuresAfter },
      },
      select: { consecutiveFailures: true, enabled: true },
    });
    if (!endpoint.enabled || endpoint.consecutiveFailures < maxConsecutiveFailures) continue;
    const { attempt } = attempts.at(-1)!;
    const last =
      attempt.statusCode === null
        ? attempt.response.slice(0, RESPONSE_EXCERPT_CHARS)
        : `HTTP ${attempt.statusCode}`;
    await tx.webhookEndpoint.update({
      where: { id: endpointId },
      data: {
        enabled: false,
        disabledAt: now,
        disabledReason:
          `Disabled after ${endpoint.consecutiveFailures} failed attempts in a row (last: ${last}). Set the URL again to re-enable.`.slice(
            0,
            RESPONSE_EXCERPT_CHARS,
          ),
      },
    });
  }
}

/**
 * Records a batch of attempts on deliveries this worker leased, in one transaction: DELIVERED on
 * success, else retried at `retryAt` or FAILED; each endpoint's failure count follows (reset by a
 * success, raised by failures) and an endpoint reaching `maxConsecutiveFailures` is disabled with
 * the reason. An attempt whose lease was lost (another worker took over and will send the same
 * event) writes nothing. Returns, per record, whether it was written.
 */
export async function recordDeliveryAttempts(
  db: Db,
  workerId: string,
  records: AttemptRecord[],
  maxConsecutiveFailures: number,
  now = new Date(),
): Promise<boolean[]> {
  if (records.length === 0) return [];
  return db.$transaction(async (tx) => {
    // Writes first: on SQLite the transaction takes the write lock before it reads anything.
    const recorded = await recordSuccesses(
      tx,
      workerId,
      records.filter((r) => r.attempt.ok),
      now,
    );
    for (const r of records) {
      if (r.attempt.ok) continue;
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: r.delivery.id, status: 'PENDING', leaseOwner: workerId },
        data: {
          ...released,
          attempts: { increment: 1 },
          lastAttemptAt: r.at,
          lastStatusCode: r.attempt.statusCode,
          lastResponse: r.attempt.response.slice(0, RESPONSE_EXCERPT_CHARS),
          ...(r.retryAt ? { nextAttemptAt: r.retryAt } : { status: 'FAILED' as const }),
        },
      });
      if (count === 1) recorded.add(r.delivery.id);
    }
    const written = records.filter((r) => recorded.has(r.delivery.id));
    await settleEndpoints(tx, written, maxConsecutiveFailures, now);
    return records.map((r) => recorded.has(r.delivery.id));
  });
}

/**
 * Records one attempt: {@link recordDeliveryAttempts} of a batch of one. Returns false, writing
 * nothing, when the lease was lost.
 */
export async function recordDeliveryAttempt(
  db: Db,
  delivery: AttemptRecord['delivery'],
  workerId: string,
  attempt: DeliveryAttempt,
  plan: RetryPlan,
  now = new Date(),
): Promise<boolean> {
  const [recorded] = await recordDeliveryAttempts(
    db,
    workerId,
    [{ delivery, attempt, retryAt: plan.retryAt, at: now }],
    plan.maxConsecutiveFailures,
    now,
  );
  return recorded === true;
}
