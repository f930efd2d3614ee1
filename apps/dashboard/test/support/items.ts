import type { Db } from '@ganmod/db';

/** An item in review with the given detector scores, as the moderation pipeline would leave it. */
export async function itemInReview(
  db: Db,
  externalId: string,
  scores: Record<string, number> = {},
  createdAt?: Date,
) {
  return db.contentItem.create({
    data: {
      externalId,
      caption: `caption of ${externalId}`,
      status: 'IN_REVIEW',
      policyAction: 'REVIEW',
      policyVersion: 'test',
      ...(createdAt ? { createdAt } : {}),
      scores: {
        create: Object.entries(scores).map(([detector, score]) => ({
          detector,
          score,
          reason: `${detector} says ${score}`,
        })),
      },
    },
  });
}
