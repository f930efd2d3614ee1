// The queue_top_score migration on a database that already holds scored items: it backfills each
// item's top score, detector and category from its detector_scores rows (and its reasons), by the
// same rule as topOfScores, on SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';

import type { Db } from '../src/client.js';
import { topOfScores } from '../src/content-items.js';
import { PROVIDERS, useDatabaseMigratedOver } from './helpers.js';

const UNDER_TEST = '_queue_top_score';

/** Old items: their scores (detector -> score) and stored reasons. */
const OLD_ITEMS: {
  id: string;
  status: string;
  scores: Record<string, number>;
  reasons: unknown;
}[] = [
  // A shipped detector on top: the vocabulary names its category.
  {
    id: 'i-spam',
    status: 'IN_REVIEW',
    scores: { 'caption-spam': 0.91, 'nsfw-explicit': 0.2, 'synthetic-image': 0.4 },
    reasons: [{ detector: 'caption-spam', category: 'spam', action: 'REVIEW' }],
  },
  // A tie: the first detector by name wins.
  {
    id: 'i-tie',
    status: 'ESCALATED',
    scores: { 'synthetic-image': 0.7, 'caption-abuse': 0.7 },
    reasons: null,
  },
  // A detector the vocabulary does not know: the category the policy stored for it.
  {
    id: 'i-custom',
    status: 'IN_REVIEW',
    scores: { 'custom-nsfw': 0.8, 'caption-spam': 0.1 },
    reasons: [
      { detector: 'caption-spam', category: 'spam' },
      { detector: 'custom-nsfw', category: 'explicit' },
    ],
  },
  // Unknown detector, reasons not an array and a category outside the vocabulary: no category.
  { id: 'i-odd', status: 'IN_REVIEW', scores: { mystery: 0.6 }, reasons: { note: 'object' } },
  {
    id: 'i-bogus',
    status: 'IN_REVIEW',
    scores: { mystery: 0.3 },
    reasons: [{ detector: 'mystery', category: 'terror' }, 'a string reason'],
  },
  // Refused by the pipeline: no scores, the input error's category from its reasons.
  {
    id: 'i-refused',
    status: 'IN_REVIEW',
    scores: {},
    reasons: [{ detector: 'input', category: 'detector-error', score: 1, action: 'REVIEW' }],
  },
  // Not scored yet.
  { id: 'i-pending', status: 'PENDING', scores: {}, reasons: null },
];

describe.each(PROVIDERS)('the queue_top_score migration on %s', (provider) => {
  let db: Db;

  const sql = (text: string) => db.$executeRawUnsafe(text);
  const literal = (value: unknown) =>
    value === null ? 'NULL' : `'${JSON.stringify(value).replaceAll("'", "''")}'`;

  useDatabaseMigratedOver(provider, [UNDER_TEST], async (old) => {
    // The tests below read through the same client.
    db = old;
    for (const item of OLD_ITEMS) {
      await sql(
        `INSERT INTO "content_items" ("id", "externalId", "status", "reasons", "updatedAt")
         VALUES ('${item.id}', '${item.id}', '${item.status}', ${literal(item.reasons)}, CURRENT_TIMESTAMP)`,
      );
      for (const [detector, score] of Object.entries(item.scores)) {
        await sql(
          `INSERT INTO "detector_scores" ("id", "itemId", "detector", "score")
           VALUES ('${item.id}-${detector}', '${item.id}', '${detector}', ${score})`,
        );
      }
    }
  });

  it('backfills top score, detector and category from the old rows', async () => {
    const rows = await db.contentItem.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, topScore: true, topDetector: true, topCategory: true },
    });
    expect(Object.fromEntries(rows.map(({ id, ...top }) => [id, top]))).toEqual({
      'i-spam': { topScore: 0.91, topDetector: 'caption-spam', topCategory: 'spam' },
      'i-tie': { topScore: 0.7, topDetector: 'caption-abuse', topCategory: 'abuse' },
      'i-custom': { topScore: 0.8, topDetector: 'custom-nsfw', topCategory: 'explicit' },
      'i-odd': { topScore: 0.6, topDetector: 'mystery', topCategory: null },
      'i-bogus': { topScore: 0.3, topDetector: 'mystery', topCategory: null },
      'i-refused': { topScore: 0, topDetector: null, topCategory: 'detector-error' },
      'i-pending': { topScore: 0, topDetector: null, topCategory: null },
    });
  });

  it('agrees with topOfScores, which new scores go through', async () => {
    for (const item of OLD_ITEMS) {
      const stored = await db.contentItem.findUniqueOrThrow({
        where: { id: item.id },
        select: { topScore: true, topDetector: true, topCategory: true },
      });
      const scores = Object.entries(item.scores).map(([detector, score]) => ({ detector, score }));
      expect(stored, item.id).toEqual(topOfScores(scores, item.reasons));
    }
  });
});
