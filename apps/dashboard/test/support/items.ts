import { topOfScores, type Db } from '@ganmod/db';

/** An item in review with the given detector scores, as the moderation pipeline would leave it. */
export async function itemInReview(
  db: Db,
  externalId: string,
  scores: Record<string, number> = {},
  createdAt?: Date,
) {
  const rows = Object.entries(scores).map(([detector, score]) => ({ detector, score }));
  return db.contentItem.create({
    data: {
      externalId,
      caption: `caption of ${externalId}`,
      status: 'IN_REVIEW',
      policyAction: 'REVIEW',
      policyVersion: 'test',
      // The top score and category scoreContentItem keeps on the item for the queue.
      ...topOfScores(rows),
      ...(createdAt ? { createdAt } : {}),
      scores: {
        create: rows.map(({ detector, score }) => ({
          detector,
          score,
          reason: `${detector} says ${score}`,
        })),
      },
    },
  });
}
