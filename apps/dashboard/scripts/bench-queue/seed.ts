// Fast seeding for the queue benchmark: multi-row INSERTs in raw SQL through the app's own Prisma
// client, one transaction per chunk of items with their score rows (Prisma's createMany ran at
// ~160 items/s on a busy machine, so 1M items did not fit in an evening). The values are all
// generated here (numbers and fixed names), never outside input, so they are inlined as literals.
//
// The data's shape: items arrive one per second (1M items span ~11.6 days, oldest first);
// every (total / inReview)-th item is IN_REVIEW, then every 50th of the rest PENDING (unscored, no
// score rows, topScore 0) and every 50th ESCALATED; the others are decided (ALLOWED, APPROVED,
// REMOVED, BLOCKED in turn). Each scored item has 4 detector_scores rows, one per shipped detector,
// as the pipeline writes them: most scores are low (0–0.4, skewed to 0), and on items a moderator
// sees (review, escalated, removed, blocked) one detector flagged it with 0.5–1.0, chosen as
// spam 45%, abuse 25%, explicit 20%, near-duplicate 10%. topScore/topDetector/topCategory are
// that item's maximum, as scoreContentItem writes them.
import { DETECTOR_CATEGORY, type DetectorName } from '@ganmod/moderation/contract';
import type { Db } from '@ganmod/db';
import type { Provider } from '../../test/support/temp-db';

/** The four detectors the pipeline runs on an image with a caption. */
const DETECTORS: DetectorName[] = [
  'caption-spam',
  'caption-abuse',
  'nsfw-explicit',
  'pdq-near-duplicate',
];
/** Cumulative share of the flagging detector, in DETECTORS' order. */
const FLAG_SHARE = [0.45, 0.7, 0.9, 1];
const DECIDED = ['ALLOWED', 'APPROVED', 'REMOVED', 'BLOCKED'] as const;
/** Items per transaction, and rows per INSERT statement. */
const CHUNK = 10_000;
const ROWS_PER_STATEMENT = 1_000;

/** A deterministic pseudo-random number in [0, 1) for item i, draw d. */
function rand(i: number, d: number): number {
  const x = Math.sin(i * 12.9898 + d * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/** The id of bench item i, zero-padded so ids (and their B-tree inserts) follow arrival order. */
export function benchItemId(i: number): string {
  return `bench-${String(i).padStart(8, '0')}`;
}

export interface SeedOptions {
  total: number;
  inReview: number;
  /** Items already seeded (a kept database resumes after them; a multiple of the chunk size). */
  from: number;
  /** Arrival time of item 0 (ms). */
  start: number;
  /** Called after each chunk with the number of items seeded so far. */
  onProgress?: (seeded: number) => void;
}

function statusOf(i: number, total: number, inReview: number): string {
  const every = Math.max(1, Math.floor(total / Math.max(1, inReview)));
  if (inReview > 0 && i % every === 0 && Math.floor(i / every) < inReview) return 'IN_REVIEW';
  if (i % 50 === 1) return 'PENDING';
  if (i % 50 === 2) return 'ESCALATED';
  return DECIDED[i % DECIDED.length]!;
}

/** Detector scores of item i: low noise, plus one flagging detector on items a moderator sees. */
function scoresOf(i: number, status: string): number[] {
  const scores = DETECTORS.map((_, d) => 0.4 * rand(i, d) ** 3);
  if (status !== 'ALLOWED' && status !== 'APPROVED') {
    const pick = rand(i, 7);
    const flagged = FLAG_SHARE.findIndex((share) => pick < share);
    scores[flagged] = 0.5 + 0.5 * rand(i, 8);
  }
  return scores;
}

/** Seeds items [from, total) in chunks, each one transaction of multi-row INSERTs. */
export async function seedQueue(db: Db, provider: Provider, options: SeedOptions): Promise<void> {
  const { total, inReview, start } = options;
  // SQLite: Prisma's libsql adapter stores DateTime as ISO-8601 text with "+00:00";
  // PostgreSQL: TIMESTAMP(3) without time zone, in UTC.
  const date = (ms: number): string => {
    const iso = new Date(ms).toISOString();
    return provider === 'sqlite'
      ? iso.replace('Z', '+00:00')
      : iso.replace('T', ' ').replace('Z', '');
  };
  for (let from = options.from; from < total; from += CHUNK) {
    const items: string[] = [];
    const scores: string[] = [];
    for (let i = from; i < Math.min(total, from + CHUNK); i++) {
      const id = benchItemId(i);
      const status = statusOf(i, total, inReview);
      const created = date(start + i * 1000);
      // Decided items were decided within the hour; the others last changed when scored.
      const updated = date(
        start + i * 1000 + (DECIDED.includes(status as never) ? 3_600_000 : 5_000),
      );
      if (status === 'PENDING') {
        items.push(
          `('${id}','${id}','item ${i}','${status}',0,NULL,NULL,'${created}','${updated}')`,
        );
        continue;
      }
      const values = scoresOf(i, status);
      let top = 0;
      values.forEach((s, d) => {
        if (s > values[top]!) top = d;
        scores.push(`('bs-${id}-${d}','${id}','${DETECTORS[d]}',${s},'${created}')`);
      });
      const detector = DETECTORS[top]!;
      items.push(
        `('${id}','${id}','item ${i}','${status}',${values[top]},'${detector}','${DETECTOR_CATEGORY[detector]}','${created}','${updated}')`,
      );
    }
    const statements: string[] = [];
    for (let k = 0; k < items.length; k += ROWS_PER_STATEMENT) {
      statements.push(
        `INSERT INTO "content_items" ("id","externalId","caption","status","topScore","topDetector","topCategory","createdAt","updatedAt") VALUES ${items.slice(k, k + ROWS_PER_STATEMENT).join(',')}`,
      );
    }
    for (let k = 0; k < scores.length; k += ROWS_PER_STATEMENT) {
      statements.push(
        `INSERT INTO "detector_scores" ("id","itemId","detector","score","createdAt") VALUES ${scores.slice(k, k + ROWS_PER_STATEMENT).join(',')}`,
      );
    }
    await db.$transaction(statements.map((sql) => db.$executeRawUnsafe(sql)));
    options.onProgress?.(Math.min(total, from + CHUNK));
  }
}
