/**
 * The two statements of a submission group commit (`submitContentItems`), in SQL: the keys'
 * existing items, and one multi-row `INSERT … RETURNING` of the new ones. They run for every
 * submission a platform posts, and through Prisma's query builder they cost ~4x the CPU per item
 * (0.43 against 0.11 ms, measured on SQLite: building and compiling a 25-row query and mapping
 * its rows). The SQL is the same on SQLite and PostgreSQL (quoted identifiers, the enum value as
 * a literal); values are bound parameters. Rows come back as the typed client returns them.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from './db-types.js';
import { Prisma } from './generated/sqlite/client.js';
import type { ContentStatus, PolicyAction } from './generated/sqlite/enums.js';

/** An item as the submission API returns it, with what a repeat is compared on. */
export interface SubmissionRow {
  id: string;
  externalId: string;
  status: ContentStatus;
  policyAction: PolicyAction | null;
  reasons: Prisma.JsonValue;
  sha256: string | null;
  mime: string | null;
  bytes: number | null;
  createdAt: Date;
  caption: string | null;
  submittedByKeyId: string | null;
}

const RETURNED = Prisma.raw(
  [
    'id',
    'externalId',
    'status',
    'policyAction',
    'reasons',
    'sha256',
    'mime',
    'bytes',
    'createdAt',
    'caption',
    'submittedByKeyId',
  ]
    .map((c) => `"${c}"`)
    .join(', '),
);

/** A raw row as the driver gives it: SQLite keeps JSON as text, integers may come as bigint. */
type RawRow = Omit<SubmissionRow, 'reasons' | 'bytes' | 'createdAt'> & {
  reasons: unknown;
  bytes: number | bigint | null;
  createdAt: Date | string;
};

/** A raw date column as a Date (SQLite's driver may hand it over as text). */
export const dateOf = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(value);

function rowOf(raw: RawRow): SubmissionRow {
  return {
    ...raw,
    reasons:
      typeof raw.reasons === 'string'
        ? (JSON.parse(raw.reasons) as Prisma.JsonValue)
        : (raw.reasons as Prisma.JsonValue),
    bytes: raw.bytes === null ? null : Number(raw.bytes),
    createdAt: dateOf(raw.createdAt),
  };
}

/** The items of `apiKeyId` with one of these externalIds. */
export async function findKeyItems(
  db: Db,
  apiKeyId: string,
  externalIds: readonly string[],
): Promise<SubmissionRow[]> {
  const rows = await db.$queryRaw<RawRow[]>`
    SELECT ${RETURNED} FROM "content_items"
    WHERE "submittedByKeyId" = ${apiKeyId} AND "externalId" IN (${Prisma.join(externalIds)})`;
  return rows.map(rowOf);
}

/** A new item's columns (the others take their defaults: PENDING, version 0, no scores). */
export interface NewItemRow {
  externalId: string;
  caption: string | null;
  imagePath: string;
  sha256: string;
  mime: string;
  bytes: number;
  submittedByKeyId: string;
}

/**
 * Inserts PENDING items in one statement (atomic: all or, on a unique-constraint race, none) and
 * returns them. Ids are made here in the shape of Prisma's `cuid()` defaults.
 */
export async function insertPendingItems(
  db: Db,
  items: readonly NewItemRow[],
): Promise<SubmissionRow[]> {
  const now = new Date();
  const values = items.map(
    (s) =>
      Prisma.sql`(${newCuid()}, ${s.externalId}, ${s.caption}, ${s.imagePath}, ${s.sha256}, ${s.mime}, ${s.bytes}, 'PENDING', ${s.submittedByKeyId}, ${now}, ${now})`,
  );
  const rows = await db.$queryRaw<RawRow[]>`
    INSERT INTO "content_items"
      ("id", "externalId", "caption", "imagePath", "sha256", "mime", "bytes", "status",
       "submittedByKeyId", "createdAt", "updatedAt")
    VALUES ${Prisma.join(values)}
    RETURNING ${RETURNED}`;
  return rows.map(rowOf);
}

// cuid (v1) layout: 'c', time (8), counter (4), process fingerprint (4), random (8), base 36.
const BASE36_4 = 36 ** 4;
let counter = randomBytes(4).readUInt32BE() % BASE36_4;
const fingerprint = (randomBytes(4).readUInt32BE() % BASE36_4).toString(36).padStart(4, '0');

/** A collision-resistant id in the shape of Prisma's `cuid()`, sortable by creation time. */
export function newCuid(): string {
  counter = (counter + 1) % BASE36_4;
  const random = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8);
  return `c${Date.now().toString(36).padStart(8, '0')}${counter.toString(36).padStart(4, '0')}${fingerprint}${random}`;
}
