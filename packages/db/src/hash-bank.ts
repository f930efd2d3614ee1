/**
 * The hash bank's lifecycle, whole: hashes added from a removed item or imported from a shared
 * list, disabled and enabled, deleted, searched, exported, and counted when the scorer matches
 * them. Every change appends to the bank's audit trail (`hash_bank_events`, append-only) with
 * who made it. Labels are the moderation contract's (`BANK_LABELS`); the policy acts on them.
 *
 * Hashes are what `@ganmod/moderation`'s matcher stores for an image (`bankHashesFor`: PDQ of the
 * picture, its crop grid and middle strip, and `pdq-dct16` and `luma-profile128` signatures of
 * low-detail pictures);
 * the rows of one banked picture share a `groupId`, and lists and actions treat them as one
 * thing. The image code is imported on first use only, so servers that never hash (and
 * `@ganmod/db/client` importers) do not load sharp.
 */
import { randomUUID } from 'node:crypto';
import {
  BANK_LABELS,
  DEFAULT_INPUT_LIMITS,
  bankLabelOfPolicyLabel,
  isBankLabel,
  policyLabelOfBankLabel,
  type BankLabel,
  type InputLimits,
} from '@ganmod/moderation/contract';
import { decideContentItem, type DecideResult, type ModeratorDecision } from './content-items.js';
import type { Db, DbTransaction } from './db-types.js';
import { isUniqueConstraintError } from './errors.js';
import type * as Moderation from '@ganmod/moderation';
import type { HashBankLabel } from './generated/sqlite/enums.js';
import type { HashBankEvent } from './generated/sqlite/client.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compiles only while the schema's bank labels are the contract's. */
export type BankLabelsMatchSchema = Assert<Same<HashBankLabel, BankLabel>>;

/** The `algorithm` of hashes the moderation pipeline computes and matches. */
export const PDQ_ALGORITHM = 'pdq';
/** The `algorithm` of low-detail pictures' DCT signatures (512 hex digits; `@ganmod/moderation`'s
 * `DCT_SIGNATURE_ALGORITHM`). */
export const DCT_SIGNATURE_ALGORITHM = 'pdq-dct16';
/** The `algorithm` of low-detail pictures' luminance profile signatures (516 hex digits;
 * `@ganmod/moderation`'s `PROFILE_SIGNATURE_ALGORITHM`). */
export const PROFILE_SIGNATURE_ALGORITHM = 'luma-profile128';
/** The algorithms the bank stores, and their hash length in hex digits. */
export const BANK_ALGORITHMS = {
  [PDQ_ALGORITHM]: 64,
  [DCT_SIGNATURE_ALGORITHM]: 512,
  [PROFILE_SIGNATURE_ALGORITHM]: 516,
} as const;
/** One of {@link BANK_ALGORITHMS}. */
export type BankAlgorithm = keyof typeof BANK_ALGORITHMS;

/** Largest ThreatExchange CSV accepted by {@link importBankCsv} (about 100k hashes). */
export const BANK_CSV_MAX_BYTES = 8 * 1024 * 1024;

/** Who changes the bank: a user (their name and role are recorded as they are now), or a named
 * tool without an account (the CLI: `cli:<os user>`). */
export type BankActor = { userId: string } | { tool: string };

/** One hash to store. */
export interface BankHash {
  /** 64 hex digits (256 bits) for `pdq`, 512 for `pdq-dct16`. */
  hash: string;
  /** `pdq` when absent. */
  algorithm?: BankAlgorithm | undefined;
  /** PDQ quality 0..100, when known. */
  quality?: number | null;
  /** Which variant of the source image (`original`, `flipHorizontal`, `crop95`...). */
  variant?: string | null;
}

/** Bad bank input (a malformed hash, an unknown label, a CSV line): nothing was written. */
export class BankInputError extends Error {
  override name = 'BankInputError';
  constructor(
    message: string,
    /** Every problem found, e.g. `line 3: quality "abc" is not an integer 0..100`. */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

function isBankAlgorithm(algorithm: string): algorithm is BankAlgorithm {
  return Object.hasOwn(BANK_ALGORITHMS, algorithm);
}

/** The hash in canonical form (lower-case hex), or a {@link BankInputError} naming it. */
export function normalizeBankHash(hash: string, algorithm: string = PDQ_ALGORITHM): string {
  if (!isBankAlgorithm(algorithm)) {
    throw new BankInputError(
      `"${algorithm.slice(0, 40)}" is not a bank algorithm: expected ${Object.keys(BANK_ALGORITHMS).join(' or ')}`,
    );
  }
  const hex = hash.trim().toLowerCase();
  const digits = BANK_ALGORITHMS[algorithm];
  if (hex.length !== digits || !/^[0-9a-f]*$/.test(hex)) {
    throw new BankInputError(
      `"${hash.slice(0, 80)}" is not a ${algorithm} hash: expected ${digits} hexadecimal digits`,
    );
  }
  return hex;
}

/** A stored label from a stored or a policy/CSV spelling (`NON_CONSENSUAL` or `non-consensual`). */
export function parseBankLabel(label: string): BankLabel | undefined {
  const trimmed = label.trim();
  if (isBankLabel(trimmed)) return trimmed;
  return bankLabelOfPolicyLabel(trimmed.toLowerCase());
}

// ------------------------------------------------------------------------------------- hashing

/**
 * The moderation package (sharp, and TensorFlow.js through its detectors), loaded on first use.
 * Bundlers are told to leave the import to Node: the dashboard's server bundle must not pull the
 * detectors in, and Node finds the package from the app's own dependencies at run time.
 */
function loadModeration(): Promise<typeof Moderation> {
  return import(/* webpackIgnore: true */ /* turbopackIgnore: true */ '@ganmod/moderation');
}

/**
 * The hashes a bank stores for one image, exactly those the moderation package's matcher was
 * measured with (`bankHashesFor`: about 69 PDQ rows for a detailed picture, plus `pdq-dct16`
 * and `luma-profile128` signatures for a low-detail one); `hash` and `quality` are the whole picture's PDQ.
 *
 * @throws `ModerationInputError` from `@ganmod/moderation` when the image is refused (type,
 *   size, pixels, corrupt data).
 */
export async function bankHashesOfImage(
  bytes: Uint8Array,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): Promise<{ hash: string; quality: number; hashes: BankHash[] }> {
  const moderation = await loadModeration();
  const image = await moderation.decodeBytes(bytes, limits);
  const rows = await moderation.bankHashesFor(image);
  // bankHashesFor's first row is the whole picture's PDQ.
  const original = rows[0]!;
  return {
    hash: original.hash,
    quality: original.quality,
    hashes: rows.map((r) => ({
      hash: r.hash,
      algorithm: r.algorithm,
      quality: r.quality,
      variant: r.variant,
    })),
  };
}

/**
 * The hashes to search the bank with for an image: its PDQ and those of its rotations and
 * mirrors (free from the DCT), since the bank stores none of those — the matcher queries them.
 *
 * @throws `ModerationInputError` from `@ganmod/moderation` when the image is refused.
 */
export async function searchHashesOfImage(
  bytes: Uint8Array,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): Promise<{ hash: string; quality: number; near: string[] }> {
  const moderation = await loadModeration();
  const pdq = await moderation.pdqFromImage(await moderation.decodeBytes(bytes, limits));
  const near = new Set([...moderation.dihedralHashes(pdq).values()].map(moderation.hashToHex));
  return { hash: moderation.hashToHex(pdq.hash), quality: pdq.quality, near: [...near] };
}

// ------------------------------------------------------------------------------------ auditing

async function actorColumns(
  tx: Db | DbTransaction,
  actor: BankActor,
): Promise<Pick<HashBankEvent, 'actorId' | 'actorName' | 'actorRole'>> {
  if ('tool' in actor) return { actorId: null, actorName: actor.tool, actorRole: null };
  const user = await tx.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { name: true, role: true },
  });
  return { actorId: actor.userId, actorName: user.name, actorRole: user.role };
}

/** The `createdById` of entries an actor adds. */
function creatorOf(actor: BankActor): string | null {
  return 'userId' in actor ? actor.userId : null;
}

// ---------------------------------------------------------------------------------------- adding

/** What to add, and where it came from. */
export interface AddHashesInput {
  hashes: readonly BankHash[];
  label: BankLabel;
  /** Where the entries came from: `item:<id>`, a file name, a partner list. */
  source: string;
  note?: string | null;
  /** The item the hashes are of ("Remove and bank"). */
  sourceItemId?: string | null;
}

/** How an add groups its rows: all one picture (an image's hashes), or each its own (a list). */
type Grouping = 'picture' | 'each';

/** How many entries an add created, and how many were already banked with that label. */
export interface AddHashesResult {
  added: number;
  alreadyBanked: number;
}

type ValidHash = BankHash & { algorithm: BankAlgorithm };

/** The hashes keyed `algorithm|hash`, duplicates dropped. */
function validHashes(hashes: readonly BankHash[]): Map<string, ValidHash> {
  const problems: string[] = [];
  const unique = new Map<string, ValidHash>();
  for (const [i, h] of hashes.entries()) {
    try {
      const algorithm = h.algorithm ?? PDQ_ALGORITHM;
      const hash = normalizeBankHash(h.hash, algorithm);
      const q = h.quality ?? null;
      if (q !== null && !(Number.isInteger(q) && q >= 0 && q <= 100)) {
        throw new BankInputError(`quality ${q} is not an integer 0..100`);
      }
      const key = `${algorithm}|${hash}`;
      if (!unique.has(key))
        unique.set(key, {
          hash,
          algorithm,
          quality: q,
          variant: h.variant ?? null,
        });
    } catch (err) {
      problems.push(`hash ${i + 1}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new BankInputError(`${problems.length} invalid hash(es): ${problems[0]}`, problems);
  }
  return unique;
}

/** Inserts the hashes not yet banked with the label (inside the caller's transaction). */
async function insertHashes(
  tx: DbTransaction,
  input: AddHashesInput,
  actor: BankActor,
  action: 'ADD' | 'IMPORT',
  grouping: Grouping,
): Promise<AddHashesResult> {
  const hashes = validHashes(input.hashes);
  // key -> group of the row already banked with this label
  const existing = new Map<string, string>();
  for (const algorithm of new Set([...hashes.values()].map((h) => h.algorithm))) {
    const all = [...hashes.values()].filter((h) => h.algorithm === algorithm).map((h) => h.hash);
    for (let i = 0; i < all.length; i += 500) {
      const rows = await tx.hashBankEntry.findMany({
        where: { algorithm, label: input.label, hash: { in: all.slice(i, i + 500) } },
        select: { id: true, hash: true, groupId: true },
      });
      for (const r of rows) existing.set(`${algorithm}|${r.hash}`, r.groupId ?? r.id);
    }
  }
  const fresh = [...hashes].filter(([key]) => !existing.has(key)).map(([, h]) => h);
  // A picture banked again (an edit of it, a second "Remove and bank") joins the group of the
  // rows it shares, so it stays one thing on the Bank page.
  const pictureGroup =
    grouping === 'picture' ? (existing.values().next().value ?? randomUUID()) : null;
  const createdById = creatorOf(actor);
  for (let i = 0; i < fresh.length; i += 1000) {
    await tx.hashBankEntry.createMany({
      data: fresh.slice(i, i + 1000).map((h) => ({
        hash: h.hash,
        algorithm: h.algorithm,
        groupId: pictureGroup ?? randomUUID(),
        label: input.label,
        source: input.source,
        note: input.note ?? null,
        quality: h.quality ?? null,
        variant: h.variant ?? null,
        sourceItemId: input.sourceItemId ?? null,
        createdById,
      })),
    });
  }
  const original = [...hashes.values()].find(
    (h) => h.algorithm === PDQ_ALGORITHM && (h.variant ?? 'original') === 'original',
  );
  await tx.hashBankEvent.create({
    data: {
      action,
      ...(await actorColumns(tx, actor)),
      count: fresh.length,
      label: input.label,
      hash: input.sourceItemId ? (original?.hash ?? null) : null,
      itemId: input.sourceItemId ?? null,
      note: `${input.source}: ${fresh.length} added, ${existing.size} already banked${input.note ? `; ${input.note}` : ''}`.slice(
        0,
        1000,
      ),
    },
  });
  return { added: fresh.length, alreadyBanked: existing.size };
}

/**
 * Runs `fn` in a transaction, again when a concurrent writer banked the same hash first (the
 * unique (algorithm, hash, label) index refused the insert; the retry sees their rows and skips
 * them).
 */
async function withBankTransaction<T>(db: Db, fn: (tx: DbTransaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, { timeout: 60_000 });
    } catch (err) {
      if (attempt >= 3 || !isUniqueConstraintError(err)) throw err;
    }
  }
}

/**
 * Adds the hashes of one picture to the bank with one label, skipping those already banked with
 * it; the new rows share the picture's group; audited as one ADD event.
 *
 * @throws {@link BankInputError} for a malformed hash or quality (nothing is written).
 */
export async function addHashesToBank(
  db: Db,
  input: AddHashesInput,
  actor: BankActor,
): Promise<AddHashesResult> {
  validHashes(input.hashes);
  return withBankTransaction(db, (tx) => insertHashes(tx, input, actor, 'ADD', 'picture'));
}

/**
 * Banks an item's image: its hashes ({@link bankHashesOfImage}) with `sourceItemId` set, audited
 * with the item. The caller reads the image file (the database knows only its relative path).
 */
export async function addItemToBank(
  db: Db,
  input: { itemId: string; label: BankLabel; hashes: readonly BankHash[]; note?: string | null },
  actor: BankActor,
): Promise<AddHashesResult> {
  validHashes(input.hashes);
  return withBankTransaction(db, (tx) =>
    insertHashes(tx, itemHashesInput(input), actor, 'ADD', 'picture'),
  );
}

function itemHashesInput(input: {
  itemId: string;
  label: BankLabel;
  hashes: readonly BankHash[];
  note?: string | null;
}): AddHashesInput {
  return {
    hashes: input.hashes,
    label: input.label,
    source: `item:${input.itemId}`,
    note: input.note ?? null,
    sourceItemId: input.itemId,
  };
}

/** What "Remove and bank" did: the decision's outcome, and the bank rows when it was recorded. */
export type RemoveAndBankResult = DecideResult & { bank?: AddHashesResult };

/**
 * "Remove and bank": the moderator's REMOVE decision and the item's hashes in the bank, in one
 * transaction. Of two moderators doing it at once exactly one decides (the item's version), so
 * the item gets one decision and one set of bank rows; the other gets the refusal.
 */
export async function removeAndBankItem(
  db: Db,
  decision: Omit<ModeratorDecision, 'action'>,
  bank: { label: BankLabel; hashes: readonly BankHash[] },
  actorId: string,
  now = new Date(),
): Promise<RemoveAndBankResult> {
  validHashes(bank.hashes);
  for (let attempt = 1; ; attempt++) {
    let banked: AddHashesResult | undefined;
    try {
      const result = await decideContentItem(
        db,
        { ...decision, action: 'REMOVE' },
        actorId,
        now,
        async (tx) => {
          banked = await insertHashes(
            tx,
            itemHashesInput({ itemId: decision.itemId, ...bank }),
            { userId: actorId },
            'ADD',
            'picture',
          );
        },
      );
      return banked ? { ...result, bank: banked } : result;
    } catch (err) {
      if (attempt >= 3 || !isUniqueConstraintError(err)) throw err;
    }
  }
}

// -------------------------------------------------------------------------- disabling, deleting

/** The rows of the pictures the entries belong to, per picture (its group). */
async function picturesOf(
  tx: DbTransaction,
  ids: readonly string[],
  where: { disabled?: boolean } = {},
): Promise<Map<string, { id: string; hash: string; algorithm: string; label: BankLabel }[]>> {
  const picked = await tx.hashBankEntry.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, groupId: true },
  });
  const groups = [...new Set(picked.flatMap((e) => (e.groupId ? [e.groupId] : [])))];
  const loose = picked.filter((e) => !e.groupId).map((e) => e.id);
  const rows = await tx.hashBankEntry.findMany({
    where: { ...where, OR: [{ groupId: { in: groups } }, { id: { in: loose } }] },
    select: { id: true, hash: true, algorithm: true, label: true, groupId: true, variant: true },
    orderBy: { id: 'asc' },
  });
  const out = new Map<
    string,
    { id: string; hash: string; algorithm: string; label: BankLabel }[]
  >();
  for (const r of rows) {
    const key = r.groupId ?? r.id;
    const list = out.get(key) ?? [];
    // The picture's own PDQ first: the audit names it.
    if (r.algorithm === PDQ_ALGORITHM && (r.variant ?? 'original') === 'original') list.unshift(r);
    else list.push(r);
    out.set(key, list);
  }
  return out;
}

async function auditPicture(
  tx: DbTransaction,
  group: string,
  rows: readonly { hash: string; algorithm: string; label: BankLabel }[],
  action: 'DISABLE' | 'ENABLE' | 'DELETE',
  who: Pick<HashBankEvent, 'actorId' | 'actorName' | 'actorRole'>,
  note: string | null,
): Promise<void> {
  const first = rows[0]!;
  await tx.hashBankEvent.create({
    data: {
      action,
      ...who,
      count: rows.length,
      label: first.label,
      hash: first.algorithm === PDQ_ALGORITHM ? first.hash : null,
      note: `${group} (${rows.length} hash${rows.length === 1 ? '' : 'es'})${note ? `: ${note}` : ''}`.slice(
        0,
        1000,
      ),
    },
  });
}

/**
 * Disables (or enables again) the pictures the entries belong to, every row of a picture
 * together: disabled ones stay listed but never match. Rows already in that state are left alone;
 * each picture that changed is audited once, with the number of rows.
 *
 * @returns how many pictures changed.
 */
export function setBankEntriesDisabled(
  db: Db,
  ids: readonly string[],
  disabled: boolean,
  actor: BankActor,
  note: string | null = null,
): Promise<number> {
  return db.$transaction(
    async (tx) => {
      const pictures = await picturesOf(tx, ids, { disabled: !disabled });
      let changedPictures = 0;
      let who: Awaited<ReturnType<typeof actorColumns>> | undefined;
      for (const [group, rows] of pictures) {
        // Conditional on the state read, so two concurrent calls audit each change once.
        const changed: typeof rows = [];
        for (const r of rows) {
          const { count } = await tx.hashBankEntry.updateMany({
            where: { id: r.id, disabled: !disabled },
            data: { disabled },
          });
          if (count === 1) changed.push(r);
        }
        if (changed.length === 0) continue;
        who ??= await actorColumns(tx, actor);
        await auditPicture(tx, group, changed, disabled ? 'DISABLE' : 'ENABLE', who, note);
        changedPictures++;
      }
      return changedPictures;
    },
    { timeout: 60_000 },
  );
}

/**
 * Deletes the pictures the entries belong to (every row of each) for good; the audit trail keeps
 * one event per picture with its PDQ, label and number of rows.
 *
 * @returns how many pictures were deleted.
 */
export function deleteBankEntries(
  db: Db,
  ids: readonly string[],
  actor: BankActor,
  note: string | null = null,
): Promise<number> {
  return db.$transaction(
    async (tx) => {
      const pictures = await picturesOf(tx, ids);
      let deletedPictures = 0;
      let who: Awaited<ReturnType<typeof actorColumns>> | undefined;
      for (const [group, rows] of pictures) {
        const deleted: typeof rows = [];
        for (const r of rows) {
          const { count } = await tx.hashBankEntry.deleteMany({ where: { id: r.id } });
          if (count === 1) deleted.push(r);
        }
        if (deleted.length === 0) continue;
        who ??= await actorColumns(tx, actor);
        await auditPicture(tx, group, deleted, 'DELETE', who, note);
        deletedPictures++;
      }
      return deletedPictures;
    },
    { timeout: 60_000 },
  );
}

// ------------------------------------------------------------------------------ listing, search

/** An entry as lists show it. */
export const bankEntrySelect = {
  id: true,
  hash: true,
  algorithm: true,
  label: true,
  quality: true,
  variant: true,
  source: true,
  note: true,
  disabled: true,
  sourceItemId: true,
  groupId: true,
  matchCount: true,
  lastMatchedAt: true,
  createdAt: true,
  createdBy: { select: { id: true, name: true, email: true } },
  sourceItem: { select: { id: true, imagePath: true, status: true } },
} as const;

function oldestEntryOfGroup(db: Db, where: { groupId: string }) {
  return db.hashBankEntry.findFirst({
    where,
    orderBy: [{ algorithm: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
    select: bankEntrySelect,
  });
}

type EntryRow = NonNullable<Awaited<ReturnType<typeof oldestEntryOfGroup>>>;

/**
 * One banked picture as lists show it: its own PDQ row (the picture's `original`; an imported
 * hash is a picture of one row), with `hashCount` rows in all, and `matchCount`/`lastMatchedAt`
 * summed/latest over them; `distance` (the closest row's) when the list was a search.
 */
export type BankEntryView = EntryRow & { hashCount: number; distance?: number };

/** The pictures of these groups, in this order, each summed over its rows. */
async function picturesView(db: Db, groups: readonly string[]): Promise<BankEntryView[]> {
  if (groups.length === 0) return [];
  const [sums, originals] = await Promise.all([
    db.hashBankEntry.groupBy({
      by: ['groupId'],
      where: { groupId: { in: [...groups] } },
      _count: { _all: true },
      _sum: { matchCount: true },
      _max: { lastMatchedAt: true },
    }),
    db.hashBankEntry.findMany({
      where: {
        groupId: { in: [...groups] },
        algorithm: PDQ_ALGORITHM,
        OR: [{ variant: 'original' }, { variant: null }],
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: bankEntrySelect,
    }),
  ]);
  const shown = new Map<string, EntryRow>();
  for (const e of originals) if (!shown.has(e.groupId!)) shown.set(e.groupId!, e);
  // A picture without a PDQ original (its original was banked with another label's picture) is
  // shown by its oldest row.
  for (const group of groups.filter((g) => !shown.has(g))) {
    const e = await oldestEntryOfGroup(db, { groupId: group });
    if (e) shown.set(group, e);
  }
  const sum = new Map(sums.map((g) => [g.groupId!, g]));
  return groups.flatMap((g) => {
    const e = shown.get(g);
    const total = sum.get(g);
    if (!e || !total) return [];
    return [
      {
        ...e,
        hashCount: total._count._all,
        matchCount: total._sum.matchCount ?? 0,
        lastMatchedAt: total._max.lastMatchedAt,
      },
    ];
  });
}

/** Filters and paging of {@link listBankEntries}. */
export interface ListBankOptions {
  label?: BankLabel | undefined;
  disabled?: boolean | undefined;
  /** Only pictures with a PDQ row within `maxDistance` (PDQ's 31 by default) of this hash (or of
   * any of these, e.g. an image's {@link searchHashesOfImage}), closest first. */
  near?: { hash: string | readonly string[]; maxDistance?: number | undefined } | undefined;
  /** Newest first; at most this many (default 50, at most 500). */
  take?: number | undefined;
  skip?: number | undefined;
}

/**
 * Lists banked pictures (one per group of rows, see {@link BankEntryView}), newest first, or
 * those near a hash, closest first (Hamming distance over the PDQ entries through the moderation
 * package's multi-index `HashBank`). `total` counts pictures.
 */
export async function listBankEntries(
  db: Db,
  options: ListBankOptions = {},
): Promise<{ entries: BankEntryView[]; total: number }> {
  const take = Math.min(Math.max(options.take ?? 50, 1), 500);
  const skip = Math.max(options.skip ?? 0, 0);
  const where = {
    ...(options.label ? { label: options.label } : {}),
    ...(options.disabled === undefined ? {} : { disabled: options.disabled }),
  };
  if (!options.near) {
    const [page, all] = await Promise.all([
      db.hashBankEntry.groupBy({
        by: ['groupId'],
        where,
        _max: { createdAt: true },
        orderBy: [{ _max: { createdAt: 'desc' } }, { groupId: 'asc' }],
        take,
        skip,
      }),
      db.hashBankEntry.groupBy({ by: ['groupId'], where }),
    ]);
    const entries = await picturesView(
      db,
      page.flatMap((g) => (g.groupId ? [g.groupId] : [])),
    );
    return { entries, total: all.length };
  }
  const queries = (
    typeof options.near.hash === 'string' ? [options.near.hash] : options.near.hash
  ).map((h) => normalizeBankHash(h));
  if (queries.length === 0) throw new BankInputError('No hash to search for');
  const maxDistance = options.near.maxDistance ?? 31;
  const moderation = await loadModeration();
  const rows = await db.hashBankEntry.findMany({
    where: { ...where, algorithm: PDQ_ALGORITHM },
    select: { id: true, hash: true, label: true, groupId: true },
  });
  const groupOf = new Map(rows.map((r) => [r.id, r.groupId ?? r.id]));
  const bank = moderation.HashBank.fromRows(
    rows.map((r) => ({ hash: r.hash, label: r.label, source: r.id })),
  );
  // Each picture at its closest row's distance over all the queries.
  const distances = new Map<string, number>();
  for (const hash of queries) {
    for (const m of bank.query(moderation.hashFromHex(hash), maxDistance)) {
      const group = groupOf.get(m.row.source)!;
      const d = distances.get(group);
      if (d === undefined || m.distance < d) distances.set(group, m.distance);
    }
  }
  const order = [...distances].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const page = order.slice(skip, skip + take).map(([group]) => group);
  const entries = (await picturesView(db, page)).map((e) => ({
    ...e,
    distance: distances.get(e.groupId!)!,
  }));
  return { entries, total: distances.size };
}

/** The bank's audit trail, newest first. */
export function listBankEvents(
  db: Db,
  options: { take?: number; skip?: number } = {},
): Promise<HashBankEvent[]> {
  return db.hashBankEvent.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: Math.min(Math.max(options.take ?? 50, 1), 500),
    skip: Math.max(options.skip ?? 0, 0),
  });
}

/** Banked pictures per label (for the Bank page's header), disabled ones counted apart. */
export async function bankSummary(
  db: Db,
): Promise<Record<BankLabel, { enabled: number; disabled: number }>> {
  const groups = await db.hashBankEntry.groupBy({ by: ['label', 'disabled', 'groupId'] });
  const out = Object.fromEntries(
    BANK_LABELS.map((l) => [l, { enabled: 0, disabled: 0 }]),
  ) as Record<BankLabel, { enabled: number; disabled: number }>;
  for (const g of groups) out[g.label][g.disabled ? 'disabled' : 'enabled'] += 1;
  return out;
}

// ---------------------------------------------------------------------- ThreatExchange CSV lists

/** One parsed CSV row. */
export interface BankCsvRow {
  hash: string;
  quality: number | null;
  label: BankLabel;
}

/**
 * Parses a ThreatExchange PDQ CSV list: one `hash,quality,label` per line (the label in the
 * policy's spelling, e.g. `non-consensual`; the stored one, `NON_CONSENSUAL`, is accepted too).
 * An optional header line starting with `hash`, blank lines and `#` comments are skipped; an
 * empty quality means unknown. With `label`, every row gets that label and the third column may
 * be anything (TE's own tool writes a file name there).
 *
 * @throws {@link BankInputError} listing every bad line; nothing is returned in part.
 */
/** How many bad lines a refused CSV names (all are counted). */
const MAX_LISTED_PROBLEMS = 100;

export function parseBankCsv(text: string, options: { label?: BankLabel } = {}): BankCsvRow[] {
  const rows: BankCsvRow[] = [];
  // Every bad line is counted, the first MAX_LISTED_PROBLEMS kept: an 8 MB file of garbage must
  // not become millions of messages.
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (message: string) => {
    problemCount++;
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(message);
  };
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
    if (rows.length === 0 && problemCount === 0 && /^hash$/i.test(fields[0] ?? '')) continue;
    const where = `line ${i + 1}`;
    const hash = (fields[0] ?? '').toLowerCase();
    if (!HEX64.test(hash)) {
      problem(`${where}: "${(fields[0] ?? '').slice(0, 80)}" is not 64 hexadecimal digits`);
      continue;
    }
    const q = fields[1] ?? '';
    const quality = q === '' ? null : Number(q);
    if (quality !== null && !(Number.isInteger(quality) && quality >= 0 && quality <= 100)) {
      problem(`${where}: quality "${q.slice(0, 20)}" is not an integer 0..100`);
      continue;
    }
    const label = options.label ?? parseBankLabel(fields[2] ?? '');
    if (!label) {
      problem(
        `${where}: label "${(fields[2] ?? '').slice(0, 40)}" is not one of ${BANK_LABELS.map((l) => policyLabelOfBankLabel(l)).join(', ')}`,
      );
      continue;
    }
    rows.push({ hash, quality, label });
  }
  if (problemCount > 0) {
    const more = problemCount > 1 ? ` (and ${problemCount - 1} more)` : '';
    throw new BankInputError(`Not a PDQ hash list: ${problems[0]}${more}`, problems);
  }
  return rows;
}

/** The rows as a ThreatExchange PDQ CSV (`hash,quality,label`, no header; quality empty when
 * unknown). */
export function formatBankCsv(rows: Iterable<BankCsvRow>): string {
  let out = '';
  for (const r of rows) {
    out += `${r.hash},${r.quality ?? ''},${policyLabelOfBankLabel(r.label)}\n`;
  }
  return out;
}

/**
 * The bank's PDQ entries as a ThreatExchange CSV, oldest first (disabled entries only with
 * `includeDisabled`).
 */
export async function exportBankCsv(
  db: Db,
  options: { label?: BankLabel | undefined; includeDisabled?: boolean } = {},
): Promise<{ csv: string; count: number }> {
  const rows = await db.hashBankEntry.findMany({
    where: {
      algorithm: PDQ_ALGORITHM,
      ...(options.label ? { label: options.label } : {}),
      ...(options.includeDisabled ? {} : { disabled: false }),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { hash: true, quality: true, label: true },
  });
  return { csv: formatBankCsv(rows), count: rows.length };
}

/**
 * Imports a ThreatExchange CSV ({@link parseBankCsv}): all of it in one transaction, audited as
 * one IMPORT event per label, hashes already banked with their label skipped.
 *
 * @throws {@link BankInputError} when the text is too large or any line is bad (nothing written).
 */
export async function importBankCsv(
  db: Db,
  text: string,
  options: { source: string; label?: BankLabel; note?: string | null },
  actor: BankActor,
): Promise<AddHashesResult> {
  if (Buffer.byteLength(text) > BANK_CSV_MAX_BYTES) {
    throw new BankInputError(`Hash list too large: the limit is ${BANK_CSV_MAX_BYTES} bytes`);
  }
  const rows = parseBankCsv(text, options.label ? { label: options.label } : {});
  if (rows.length === 0) throw new BankInputError('The hash list has no hashes');
  const byLabel = new Map<BankLabel, BankHash[]>();
  for (const r of rows) {
    const list = byLabel.get(r.label) ?? [];
    list.push({ hash: r.hash, quality: r.quality });
    byLabel.set(r.label, list);
  }
  return withBankTransaction(db, async (tx) => {
    const total: AddHashesResult = { added: 0, alreadyBanked: 0 };
    for (const [label, hashes] of byLabel) {
      const r = await insertHashes(
        tx,
        { hashes, label, source: options.source, note: options.note ?? null },
        actor,
        'IMPORT',
        'each',
      );
      total.added += r.added;
      total.alreadyBanked += r.alreadyBanked;
    }
    return total;
  });
}

// ---------------------------------------------------------------------------------- the scorer

/** A bank entry the scorer matches against (enabled entries of every {@link BANK_ALGORITHMS}). */
export interface MatchableBankEntry {
  id: string;
  hash: string;
  /** `pdq`, `pdq-dct16` (a low-detail picture's DCT signature) or `luma-profile128` (its
   * luminance profiles). */
  algorithm: string;
  label: BankLabel;
  source: string;
  variant: string | null;
  /** PDQ quality when known: the matcher trusts a PDQ match only above its quality floor. */
  quality: number | null;
}

/**
 * A cheap fingerprint of the bank's matchable state: every write of this module (add, import,
 * disable, enable, delete) appends to the audit trail, which only grows, so the trail's length and
 * last event change with every change of what matches, and not with match counts: a scorer
 * rebuilds its in-memory bank only when it must. Two small reads whatever the bank's size (it used
 * to count the entries too: a scan of the whole bank on every worker poll, ~12 ms of PostgreSQL's
 * CPU at 12k entries). Rows written around this module (a test's direct insert) are not seen
 * until the next audited change.
 */
export async function bankStamp(db: Db): Promise<string> {
  const [events, latest] = await Promise.all([
    db.hashBankEvent.count(),
    db.hashBankEvent.findFirst({
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    }),
  ]);
  return `${events}:${latest?.id ?? ''}`;
}

/** The enabled entries of every bank algorithm, for the scorer's in-memory bank. */
export function matchableBankEntries(db: Db): Promise<MatchableBankEntry[]> {
  return db.hashBankEntry.findMany({
    where: { algorithm: { in: Object.keys(BANK_ALGORITHMS) }, disabled: false },
    select: {
      id: true,
      hash: true,
      algorithm: true,
      label: true,
      source: true,
      variant: true,
      quality: true,
    },
  });
}

/**
 * Counts a match on each entry (by id; an id listed n times counts n): `matchCount + n`,
 * `lastMatchedAt`. Not audited. One statement per distinct n (a worker's batch: usually one),
 * not one round trip per match.
 */
export async function recordBankMatches(
  db: Db,
  entryIds: readonly string[],
  now = new Date(),
): Promise<void> {
  const times = new Map<string, number>();
  for (const id of entryIds) times.set(id, (times.get(id) ?? 0) + 1);
  const byTimes = new Map<number, string[]>();
  for (const [id, n] of times) byTimes.set(n, [...(byTimes.get(n) ?? []), id]);
  for (const [n, ids] of byTimes) {
    await db.hashBankEntry.updateMany({
      where: { id: { in: ids } },
      data: { matchCount: { increment: n }, lastMatchedAt: now },
    });
  }
}
