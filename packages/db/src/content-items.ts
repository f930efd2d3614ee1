/**
 * The content item's lifecycle, whole: submit, score (the policy's verdict), claim and release
 * (a moderator opening it), decide (the moderator's verdict), and the one function that appends
 * to the decision log.
 *
 *   submit ──▶ PENDING ──score──▶ ALLOWED | BLOCKED | IN_REVIEW
 *                 │                                    │  claim / release (who is looking)
 *                 └────────────── decide ──────────────┴──▶ APPROVED | REMOVED | ESCALATED
 *                                                                               │ decide again
 * Statuses, actions and the maps between them are the moderation contract's
 * (`@ganmod/moderation/contract`). Every transition is one conditional `UPDATE ... WHERE` on the
 * expected status (and, for verdicts, the `version` read), atomic on SQLite and PostgreSQL alike:
 * of two racing writers exactly one matches, the other sees count 0.
 */
import {
  DETECTOR_CATEGORIES,
  STATUS_AFTER_DECISION,
  STATUS_AFTER_POLICY,
  REVIEWABLE_STATUSES,
  categoryOfDetector,
  isReasonCode,
  isReviewable,
  type ContentStatus as ContractStatus,
  type DecisionAction as ContractDecisionAction,
  type DetectorCategory,
  type ModeratorAction,
  type PolicyAction,
} from '@ganmod/moderation/contract';
import type { Db, DbTransaction } from './db-types.js';
import { isUniqueConstraintError } from './errors.js';
import { findKeyItems, insertPendingItems, newCuid } from './submission-sql.js';
import type {
  ContentStatus,
  DecisionAction,
  PolicyAction as SchemaPolicyAction,
} from './generated/sqlite/enums.js';
import { Prisma, type Decision } from './generated/sqlite/client.js';
import {
  enqueueSubmissionEvent,
  enqueueSubmissionEvents,
  type WebhookEventType,
} from './webhooks.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compiles only while the schema's enums are the contract's words. */
export type VocabularyMatchesSchema = [
  Assert<Same<ContentStatus, ContractStatus>>,
  Assert<Same<SchemaPolicyAction, PolicyAction>>,
  Assert<Same<DecisionAction, ContractDecisionAction>>,
];

// ------------------------------------------------------------------------------------ decisions

/** One row of the append-only decision log. */
export interface DecisionRecord {
  itemId: string;
  /** The moderator; null for the automatic policy. */
  actorId: string | null;
  action: DecisionAction;
  reasonCode: string;
  note?: string | null;
}

/**
 * The webhook a decision-log entry sends: a moderator's (overrides and bank matches too) is
 * `submission.decided`; the policy's is `submission.scored`, or `submission.refused` for input
 * the pipeline refused (`input.*` reason codes).
 */
export function webhookEventOf(
  record: Pick<DecisionRecord, 'actorId' | 'reasonCode'>,
): WebhookEventType {
  if (record.actorId !== null) return 'submission.decided';
  return record.reasonCode.startsWith('input.') ? 'submission.refused' : 'submission.scored';
}

/**
 * Appends to the decision log: the only writer of `decisions`. A moderator's row keeps their
 * name and role as they are now (`actorName`, `actorRole`), whatever the user becomes later; the
 * policy's row has no actor. Call it inside the transaction that changed the item, after the
 * change: it also writes the item's webhook event to the outbox ({@link webhookEventOf}), so the
 * event exists exactly when the change does.
 *
 * @throws when `actorId` names no user (the caller's transaction rolls back).
 */
export async function recordDecision(
  tx: Db | DbTransaction,
  record: DecisionRecord,
): Promise<Decision> {
  const actor =
    record.actorId === null
      ? null
      : await tx.user.findUniqueOrThrow({
          where: { id: record.actorId },
          select: { name: true, role: true },
        });
  const decision = await tx.decision.create({
    data: {
      itemId: record.itemId,
      actorId: record.actorId,
      actorName: actor?.name ?? null,
      actorRole: actor?.role ?? null,
      action: record.action,
      reasonCode: record.reasonCode,
      note: record.note ?? null,
    },
  });
  await enqueueSubmissionEvent(tx, record.itemId, webhookEventOf(record), decision.createdAt);
  return decision;
}

// --------------------------------------------------------------------------------------- submit

/** What the submission API returns for an item. */
export const submittedItemSelect = {
  id: true,
  externalId: true,
  status: true,
  policyAction: true,
  reasons: true,
  sha256: true,
  mime: true,
  bytes: true,
  createdAt: true,
} as const;

/** An item as the submission API returns it. */
export type SubmittedItem = Prisma.ContentItemGetPayload<{ select: typeof submittedItemSelect }>;

/**
 * What a submission did: `created` a new item, found the key's `existing` one with the same
 * content, or a `conflict`: the key already used this `externalId` for other content.
 */
export type SubmitResult =
  | { outcome: 'created' | 'existing'; item: SubmittedItem }
  | { outcome: 'conflict'; message: string };

/** A submission, its image already hashed. */
export interface NewSubmission {
  apiKeyId: string;
  externalId: string;
  caption: string | null;
  /** sha256 of the image bytes, hex. */
  sha256: string;
  mime: string;
  bytes: number;
}

/** The key's own item with this externalId (never another key's), with what identifies its content. */
function findKeyItem(db: Db, apiKeyId: string, externalId: string) {
  return db.contentItem.findUnique({
    where: { submittedByKeyId_externalId: { submittedByKeyId: apiKeyId, externalId } },
    select: { ...submittedItemSelect, caption: true },
  });
}

/** Compares a repeat with the stored item: same image bytes and caption, or names what differs. */
function repeatOf(
  stored: SubmittedItem & { caption: string | null },
  input: NewSubmission,
): SubmitResult {
  const { caption, ...item } = stored;
  const differs = [
    ...(stored.sha256 === input.sha256 ? [] : ['image']),
    ...(caption === input.caption ? [] : ['caption']),
  ];
  if (differs.length === 0) return { outcome: 'existing', item };
  return {
    outcome: 'conflict',
    message: `externalId '${input.externalId}' was already submitted by this key with a different ${differs.join(' and ')}`,
  };
}

/**
 * Stores a submission as PENDING, idempotent per API key on `externalId`: the key's first call
 * creates the item (`created`); a later or concurrent call from the same key with the same image
 * bytes and caption returns that item (`existing`), with other content it is a `conflict`.
 * Another key's item with the same externalId is never returned nor touched. The unique
 * constraint on (key, externalId) settles races; no read-then-write window decides it.
 *
 * @param storeImage writes the image (only for a new item) and returns its `imagePath`.
 */
export async function submitContentItem(
  db: Db,
  input: NewSubmission,
  storeImage: () => Promise<string>,
): Promise<SubmitResult> {
  const existing = await findKeyItem(db, input.apiKeyId, input.externalId);
  if (existing) return repeatOf(existing, input);
  const imagePath = await storeImage();
  try {
    const item = await db.contentItem.create({
      data: {
        externalId: input.externalId,
        caption: input.caption,
        imagePath,
        sha256: input.sha256,
        mime: input.mime,
        bytes: input.bytes,
        status: 'PENDING',
        submittedByKeyId: input.apiKeyId,
      },
      select: submittedItemSelect,
    });
    return { outcome: 'created', item };
  } catch (err) {
    if (!isUniqueConstraintError(err)) throw err;
    const winner = await findKeyItem(db, input.apiKeyId, input.externalId);
    if (!winner) throw err;
    return repeatOf(winner, input);
  }
}

/**
 * {@link submitContentItem} for many submissions at once (a group commit): one read finds the
 * keys' existing items, `storeImage` runs only for the new ones, and all new items are inserted in
 * **one transaction** (one commit, one fsync, for the whole group). Results come in input order,
 * with the same meaning as `submitContentItem`'s; repeats of one (key, externalId) inside the group
 * resolve against the first. When a concurrent writer (another instance) wins a unique
 * (key, externalId) race, the transaction rolls back whole and each submission is retried alone
 * through `submitContentItem`, so every outcome is still decided by the unique constraint.
 * Nothing is acknowledged before the commit returns.
 *
 * @param storeImage writes one new item's image and returns its `imagePath`.
 */
export async function submitContentItems(
  db: Db,
  inputs: readonly NewSubmission[],
  storeImage: (index: number) => Promise<string>,
): Promise<SubmitResult[]> {
  const keyOf = (s: { apiKeyId: string; externalId: string }) =>
    `${s.apiKeyId}\u0000${s.externalId}`;
  // One `externalId IN (…)` per key (a group is nearly always one platform's), in SQL
  // (`submission-sql.ts`): these two statements run for every submission.
  const idsByKey = new Map<string, string[]>();
  for (const s of inputs) {
    const ids = idsByKey.get(s.apiKeyId);
    if (ids) ids.push(s.externalId);
    else idsByKey.set(s.apiKeyId, [s.externalId]);
  }
  const found = (
    await Promise.all([...idsByKey].map(([apiKeyId, ids]) => findKeyItems(db, apiKeyId, ids)))
  ).flat();
  const stored = new Map(
    found.map(({ submittedByKeyId, ...item }) => [
      keyOf({ apiKeyId: submittedByKeyId ?? '', externalId: item.externalId }),
      item,
    ]),
  );
  // The first submission of each new (key, externalId) creates it; later ones repeat it.
  const creators = new Map<string, number>();
  inputs.forEach((s, i) => {
    const k = keyOf(s);
    if (!stored.has(k) && !creators.has(k)) creators.set(k, i);
  });
  const newOnes = [...creators.values()];
  const paths = await Promise.all(newOnes.map((i) => storeImage(i)));
  if (newOnes.length > 0) {
    try {
      // One statement, no interactive transaction: the items need nothing else to commit with
      // them, and on SQLite every interactive transaction costs the driver a new connection.
      // Each item stands alone (a crash between chunks loses only unanswered ones, which the
      // platform posts again and gets back idempotently).
      const created = await insertPendingItems(
        db,
        newOnes.map((i, n) => {
          const s = inputs[i]!;
          return {
            externalId: s.externalId,
            caption: s.caption,
            imagePath: paths[n]!,
            sha256: s.sha256,
            mime: s.mime,
            bytes: s.bytes,
            submittedByKeyId: s.apiKeyId,
          };
        }),
      );
      for (const { submittedByKeyId, ...item } of created)
        stored.set(keyOf({ apiKeyId: submittedByKeyId ?? '', externalId: item.externalId }), item);
    } catch (err) {
      if (!isUniqueConstraintError(err)) throw err;
      // Another writer won a race: each submission alone, in order, decided by the constraint.
      const results: SubmitResult[] = [];
      for (const [i, s] of inputs.entries())
        results.push(await submitContentItem(db, s, () => storeImage(i)));
      return results;
    }
  }
  return inputs.map((s, i) => {
    const item = stored.get(keyOf(s));
    if (!item) throw new Error(`submitContentItems: no row for '${s.externalId}' after the commit`);
    if (creators.get(keyOf(s)) !== i) return repeatOf(item, s);
    const { caption: _caption, ...fresh } = item;
    return { outcome: 'created', item: fresh };
  });
}

// ---------------------------------------------------------------------------------------- score

/** One detector's score on an item. */
export interface ScoreRow {
  detector: string;
  score: number;
  label: string;
  reason: string;
  details: Prisma.InputJsonObject;
  /** The DetectorModel that produced it, when a trained one did. */
  detectorModelId: string | null;
}

/** The policy's verdict on a PENDING item, as {@link scoreContentItem} records it. */
export interface PolicyVerdict {
  action: PolicyAction;
  policyVersion: string;
  /** Each detector's reason, most severe first (stored as the item's `reasons`). */
  reasons: Prisma.InputJsonObject[];
  scores: ScoreRow[];
  /** Reason code of the log entry, e.g. `policy.review` or `input.caption_too_long`. */
  reasonCode: string;
  note: string | null;
}

/** What the review queue sorts and filters an item by, kept on the item (see {@link topOfScores}). */
export interface ItemTop {
  /** 0 when no detector scored the item (`topDetector` null): the sort key is never NULL. */
  topScore: number;
  topDetector: string | null;
  topCategory: DetectorCategory | null;
}

function vocabularyCategory(value: unknown): DetectorCategory | null {
  return (DETECTOR_CATEGORIES as readonly unknown[]).includes(value)
    ? (value as DetectorCategory)
    : null;
}

/** The category the policy stored for `detector` in an item's reasons (any detector when null). */
function reasonCategory(reasons: unknown, detector: string | null): DetectorCategory | null {
  if (!Array.isArray(reasons)) return null;
  for (const r of reasons as unknown[]) {
    if (!r || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    if (detector === null || o.detector === detector) return vocabularyCategory(o.category);
  }
  return null;
}

/**
 * An item's top score: the highest detector score (ties: the first detector by name), that
 * detector, and its category: the vocabulary's for a shipped detector, else the one the policy
 * stored in `reasons` for it. With no scores (the pipeline refused the input), no detector, score
 * 0 and the first reason's category. The queue migration backfills existing items by the same rule.
 */
export function topOfScores(
  scores: readonly { detector: string; score: number }[],
  reasons: unknown = null,
): ItemTop {
  let top: { detector: string; score: number } | null = null;
  for (const s of scores) {
    if (top === null || s.score > top.score || (s.score === top.score && s.detector < top.detector))
      top = s;
  }
  if (top === null) {
    return { topScore: 0, topDetector: null, topCategory: reasonCategory(reasons, null) };
  }
  return {
    topScore: top.score,
    topDetector: top.detector,
    topCategory: categoryOfDetector(top.detector) ?? reasonCategory(reasons, top.detector),
  };
}

/**
 * Records the policy's verdict if the item is still PENDING at the version read (another worker
 * may have won): its new status, its scores (and their top, {@link topOfScores}) and the
 * policy's decision-log entry, in one transaction. Returns false, writing nothing, when the item moved on.
 * The one-item form of {@link scoreContentItems}.
 */
export async function scoreContentItem(
  db: Db,
  item: { id: string; version: number },
  verdict: PolicyVerdict,
): Promise<boolean> {
  const [recorded] = await scoreContentItems(db, [{ item, verdict }]);
  return recorded ?? false;
}

/** One verdict of a batch for {@link scoreContentItems}: the item at the version read, and the verdict. */
export interface ItemVerdict {
  item: { id: string; version: number };
  verdict: PolicyVerdict;
}

/** Rows per multi-row INSERT (under SQLite's and PostgreSQL's bound-parameter limits). */
const INSERT_CHUNK = 400;

function chunks<T>(rows: readonly T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** An enum value written as a SQL literal (PostgreSQL types a literal by its column; a bound text
 * parameter would not cast to the enum): checked against the vocabulary first. */
function enumLiteral(value: string, allowed: Readonly<Record<string, unknown>>): Prisma.Sql {
  if (!Object.hasOwn(allowed, value))
    throw new Error(`scoreContentItems: unknown value '${value}'`);
  return Prisma.raw(`'${value}'`);
}

/**
 * {@link scoreContentItem} for a batch of verdicts (a scoring worker's batch), in **one
 * transaction** of set-based statements: per item one conditional `UPDATE ... WHERE status =
 * 'PENDING' AND version = <read>` (the same race guard), then for the items it matched one DELETE
 * of their earlier scores, one multi-row INSERT of all their scores, one of their decision-log
 * entries (the policy's: no actor), and their webhook events and deliveries
 * ({@link enqueueSubmissionEvents}, written after the change as `recordDecision` writes them).
 * The rows are those one `scoreContentItem` call per verdict would write. Returns, in input order,
 * whether each verdict was recorded: false, with nothing written for it, when its item moved on
 * (another worker won, or the item is listed again after its first verdict); the others are
 * recorded regardless. SQL is the same on SQLite and PostgreSQL (Prisma's query builder would cost
 * more CPU than the pipeline's own work per item, and one transaction per item costs SQLite a new
 * connection each).
 */
export async function scoreContentItems(
  db: Db,
  verdicts: readonly ItemVerdict[],
): Promise<boolean[]> {
  if (verdicts.length === 0) return [];
  for (const { verdict } of verdicts) {
    enumLiteral(verdict.action, STATUS_AFTER_POLICY);
  }
  return db.$transaction(async (tx) => {
    const now = new Date();
    const recorded: boolean[] = [];
    for (const { item, verdict } of verdicts) {
      const top = topOfScores(verdict.scores, verdict.reasons);
      const count = await tx.$executeRaw`
        UPDATE "content_items" SET
          "status" = ${enumLiteral(STATUS_AFTER_POLICY[verdict.action], STATUS_AFTER_POLICY_VALUES)},
          "policyAction" = ${enumLiteral(verdict.action, STATUS_AFTER_POLICY)},
          "policyVersion" = ${verdict.policyVersion},
          "reasons" = ${JSON.stringify(verdict.reasons)},
          "topScore" = ${top.topScore},
          "topDetector" = ${top.topDetector},
          "topCategory" = ${top.topCategory},
          "scoringBy" = NULL,
          "scoringUntil" = NULL,
          "version" = "version" + 1,
          "updatedAt" = ${now}
        WHERE "id" = ${item.id} AND "status" = 'PENDING' AND "version" = ${item.version}`;
      recorded.push(count === 1);
    }
    const done = verdicts.filter((_, i) => recorded[i]);
    if (done.length === 0) return recorded;
    const ids = done.map(({ item }) => item.id);
    // The verdict replaces any earlier scores of the items: one DELETE, one INSERT.
    await tx.$executeRaw`DELETE FROM "detector_scores" WHERE "itemId" IN (${Prisma.join(ids)})`;
    const scores = done.flatMap(({ item, verdict }) =>
      verdict.scores.map(
        (s) =>
          Prisma.sql`(${newCuid()}, ${item.id}, ${s.detector}, ${s.score}, ${s.label}, ${s.reason}, ${JSON.stringify(s.details)}, ${s.detectorModelId}, ${now})`,
      ),
    );
    for (const rows of chunks(scores)) {
      await tx.$executeRaw`
        INSERT INTO "detector_scores"
          ("id", "itemId", "detector", "score", "label", "reason", "details", "detectorModelId", "createdAt")
        VALUES ${Prisma.join(rows)}`;
    }
    // The policy's entries in the decision log (no actor, so no name or role to keep).
    const decisions = done.map(
      ({ item, verdict }) =>
        Prisma.sql`(${newCuid()}, ${item.id}, NULL, NULL, NULL, ${enumLiteral(verdict.action, STATUS_AFTER_POLICY)}, ${verdict.reasonCode}, ${verdict.note ?? null}, ${now})`,
    );
    for (const rows of chunks(decisions)) {
      await tx.$executeRaw`
        INSERT INTO "decisions"
          ("id", "itemId", "actorId", "actorName", "actorRole", "action", "reasonCode", "note", "createdAt")
        VALUES ${Prisma.join(rows)}`;
    }
    await enqueueSubmissionEvents(
      tx,
      done.map(({ item, verdict }) => ({
        itemId: item.id,
        type: webhookEventOf({ actorId: null, reasonCode: verdict.reasonCode }),
      })),
      now,
    );
    return recorded;
  });
}

/** The statuses a policy verdict leads to, as a set for {@link enumLiteral}. */
const STATUS_AFTER_POLICY_VALUES: Readonly<Record<string, true>> = Object.fromEntries(
  Object.values(STATUS_AFTER_POLICY).map((status) => [status, true]),
);

// ------------------------------------------------------------------------------ scoring leases

/** A PENDING item leased to one scoring worker (what it needs to score and record it). */
export interface PendingForScoring {
  id: string;
  externalId: string;
  caption: string | null;
  imagePath: string | null;
  /** The version read with the lease: {@link scoreContentItem} records only at this version. */
  version: number;
}

/** Options of {@link claimPendingForScoring}. */
export interface ScoringLease {
  /** The worker's token, unique per worker (e.g. host:pid:random). */
  workerId: string;
  /** How many items to lease at most. */
  limit: number;
  /** Lease length: a worker that dies holding items frees them after this (default 120 s). */
  seconds?: number;
  now?: Date;
}

/**
 * Leases up to `limit` of the oldest PENDING items no other worker holds, so that concurrent
 * scoring workers split the backlog instead of all scoring the same items. The oldest free items
 * are read, then leased with one conditional `UPDATE ... WHERE id IN (...) AND lease free` (each
 * row is re-checked under its row lock on PostgreSQL; SQLite has one writer): of two workers that
 * read the same items, each item goes to exactly one, and the other reads the next page. A
 * moderator's claim (`claimContentItem`) is separate and not affected.
 */
export async function claimPendingForScoring(
  db: Db,
  options: ScoringLease,
): Promise<PendingForScoring[]> {
  const now = options.now ?? new Date();
  const until = new Date(now.getTime() + (options.seconds ?? 120) * 1000);
  const free = {
    status: 'PENDING' as const,
    OR: [{ scoringUntil: null }, { scoringUntil: { lt: now } }],
  };
  const select = { id: true, externalId: true, caption: true, imagePath: true, version: true };
  const leased: PendingForScoring[] = [];
  const tried = new Set<string>();
  // A few rounds: a round whose items another worker leased first moves on to newer ones.
  for (let round = 0; round < 4 && leased.length < options.limit; round++) {
    const want = options.limit - leased.length;
    const candidates = await db.contentItem.findMany({
      where: { ...free, ...(tried.size > 0 ? { id: { notIn: [...tried] } } : {}) },
      orderBy: { createdAt: 'asc' },
      take: want,
      select: { id: true },
    });
    if (candidates.length === 0) break;
    const ids = candidates.map((c) => c.id);
    for (const id of ids) tried.add(id);
    const { count } = await db.contentItem.updateMany({
      where: { id: { in: ids }, ...free },
      data: { scoringBy: options.workerId, scoringUntil: until },
    });
    if (count > 0) {
      leased.push(
        ...(await db.contentItem.findMany({
          where: { id: { in: ids }, status: 'PENDING', scoringBy: options.workerId },
          orderBy: { createdAt: 'asc' },
          select,
        })),
      );
    }
    if (candidates.length < want) break;
  }
  return leased;
}

// -------------------------------------------------------------------------------- claim/release

/** Prisma filter: nobody else holds a live claim on the item. */
export function claimableBy(userId: string, now: Date) {
  return {
    OR: [{ claimedById: null }, { claimedById: userId }, { claimExpiresAt: { lt: now } }],
  };
}

/** What {@link claimContentItem} did. */
export type ClaimResult =
  | { outcome: 'CLAIMED'; claimExpiresAt: Date }
  | { outcome: 'NOT_FOUND' }
  /** No longer reviewable: a moderator (or nobody, for ALLOWED/BLOCKED) decided it. */
  | { outcome: 'DECIDED'; status: ContentStatus }
  /** Someone else's claim is live. */
  | { outcome: 'HELD'; holderName: string | null; claimExpiresAt: Date | null };

/** How long a claim lasts: a lease the moderator's open tab renews (a heartbeat is a re-claim). */
export interface ClaimLease {
  /** Lease length; the dashboard's default is 60 s (`GANMOD_CLAIM_SECONDS`). */
  seconds: number;
  now?: Date;
}

/**
 * Claims an item for `userId` (or renews their lease) until `now + seconds`. One conditional
 * UPDATE decides the race: of two moderators opening the same item at once, exactly one wins,
 * and nobody takes an item while another moderator's lease on it is live.
 */
export async function claimContentItem(
  db: Db,
  itemId: string,
  userId: string,
  options: ClaimLease,
): Promise<ClaimResult> {
  const now = options.now ?? new Date();
  const expires = new Date(now.getTime() + options.seconds * 1000);
  const { count } = await db.contentItem.updateMany({
    where: { id: itemId, status: { in: [...REVIEWABLE_STATUSES] }, ...claimableBy(userId, now) },
    data: { claimedById: userId, claimExpiresAt: expires },
  });
  if (count === 1) return { outcome: 'CLAIMED', claimExpiresAt: expires };
  const item = await db.contentItem.findUnique({
    where: { id: itemId },
    select: { status: true, claimExpiresAt: true, claimedBy: { select: { name: true } } },
  });
  if (!item) return { outcome: 'NOT_FOUND' };
  if (!isReviewable(item.status)) return { outcome: 'DECIDED', status: item.status };
  return {
    outcome: 'HELD',
    holderName: item.claimedBy?.name ?? null,
    claimExpiresAt: item.claimExpiresAt,
  };
}

/** Which items {@link claimNextContentItem} picks from, in which order (a queue view). */
export interface ClaimNextQuery {
  where: Prisma.ContentItemWhereInput;
  orderBy: Prisma.ContentItemOrderByWithRelationInput[];
}

/**
 * Claims the first item of `query` that no other moderator's live lease holds (the caller's own
 * lease counts as free, so a reloaded tab gets its item back). The view is read in its own order
 * a page at a time, exactly as the queue lists it (so its indexes serve it; a claim filter in the
 * SQL would make the planner sort the whole status), the free items of the page are claimed with
 * {@link claimContentItem}'s conditional UPDATE, so two moderators asking at once never get the
 * same item: the loser moves on to the next one. Returns null when none of the first
 * `5 × 20` items is free.
 */
export async function claimNextContentItem(
  db: Db,
  userId: string,
  query: ClaimNextQuery,
  options: ClaimLease,
): Promise<{ itemId: string; claimExpiresAt: Date } | null> {
  const now = options.now ?? new Date();
  const page = 20;
  for (let skip = 0; skip < 5 * page; skip += page) {
    const rows = await db.contentItem.findMany({
      where: query.where,
      orderBy: query.orderBy,
      skip,
      take: page,
      select: { id: true, claimedById: true, claimExpiresAt: true },
    });
    for (const row of rows) {
      const free =
        row.claimedById === null ||
        row.claimedById === userId ||
        row.claimExpiresAt === null ||
        row.claimExpiresAt < now;
      if (!free) continue;
      const result = await claimContentItem(db, row.id, userId, { ...options, now });
      if (result.outcome === 'CLAIMED')
        return { itemId: row.id, claimExpiresAt: result.claimExpiresAt };
    }
    if (rows.length < page) return null;
  }
  return null;
}

/** Gives up the caller's claim (no-op when they do not hold it). */
export async function releaseContentItemClaim(
  db: Db,
  itemId: string,
  userId: string,
): Promise<void> {
  await db.contentItem.updateMany({
    where: { id: itemId, claimedById: userId },
    data: { claimedById: null, claimExpiresAt: null },
  });
}

// --------------------------------------------------------------------------------------- decide

/** A moderator's decision on one item. */
export interface ModeratorDecision {
  itemId: string;
  /** The item version the moderator saw; the decision is refused if it changed since. */
  version: number;
  action: ModeratorAction;
  reasonCode: string;
  note?: string | undefined;
}

/** The latest moderator decision on an item, for refusal messages. */
export interface LastDecision {
  action: DecisionAction;
  createdAt: Date;
  actorName: string | null;
}

/** What {@link decideContentItem} did. */
export type DecideResult =
  | { outcome: 'DECIDED'; decision: Decision }
  /** The reason code is not one offered for the action; nothing read or written. */
  | { outcome: 'INVALID_REASON' }
  | { outcome: 'NOT_FOUND' }
  | { outcome: 'ALREADY_DECIDED'; status: ContentStatus; last: LastDecision | null }
  /** Another moderator's claim is live. */
  | { outcome: 'HELD'; holderName: string | null }
  /** The item changed since the moderator read `version`. */
  | { outcome: 'STALE'; last: LastDecision | null };

/**
 * Records a moderator's decision: moves the item to the contract's status after the action,
 * releases its claim and appends to the decision log, in one transaction. Optimistic concurrency:
 * the UPDATE matches only the version the moderator saw, a reviewable status and no one else's
 * live claim, so of two concurrent decisions on one item exactly one is recorded; the other gets
 * a refusal saying why.
 */
export async function decideContentItem(
  db: Db,
  input: ModeratorDecision,
  actorId: string,
  now = new Date(),
  /** Runs in the decision's transaction once it is recorded (e.g. banking the item's hashes). */
  alsoInTransaction?: (tx: DbTransaction, decision: Decision) => Promise<void>,
): Promise<DecideResult> {
  if (!isReasonCode(input.action, input.reasonCode)) return { outcome: 'INVALID_REASON' };
  return db.$transaction(async (tx): Promise<DecideResult> => {
    const { count } = await tx.contentItem.updateMany({
      where: {
        id: input.itemId,
        version: input.version,
        status: { in: [...REVIEWABLE_STATUSES] },
        ...claimableBy(actorId, now),
      },
      data: {
        status: STATUS_AFTER_DECISION[input.action],
        version: { increment: 1 },
        claimedById: null,
        claimExpiresAt: null,
      },
    });
    if (count === 0) return refusal(tx, input.itemId, actorId, now);
    const decision = await recordDecision(tx, {
      itemId: input.itemId,
      actorId,
      action: input.action,
      reasonCode: input.reasonCode,
      note: input.note?.trim() || null,
    });
    if (alsoInTransaction) await alsoInTransaction(tx, decision);
    return { outcome: 'DECIDED', decision };
  });
}

/** Why a decision matched no row. */
async function refusal(
  tx: DbTransaction,
  itemId: string,
  actorId: string,
  now: Date,
): Promise<DecideResult> {
  const item = await tx.contentItem.findUnique({
    where: { id: itemId },
    select: {
      status: true,
      claimedById: true,
      claimExpiresAt: true,
      claimedBy: { select: { name: true } },
      decisions: {
        where: { actorId: { not: null } },
        orderBy: { createdAt: 'desc' },
        take: 1,
        select: { action: true, createdAt: true, actorName: true },
      },
    },
  });
  if (!item) return { outcome: 'NOT_FOUND' };
  const last = item.decisions[0] ?? null;
  if (!isReviewable(item.status)) return { outcome: 'ALREADY_DECIDED', status: item.status, last };
  if (
    item.claimedById &&
    item.claimedById !== actorId &&
    item.claimExpiresAt &&
    item.claimExpiresAt >= now
  ) {
    return { outcome: 'HELD', holderName: item.claimedBy?.name ?? null };
  }
  return { outcome: 'STALE', last };
}
