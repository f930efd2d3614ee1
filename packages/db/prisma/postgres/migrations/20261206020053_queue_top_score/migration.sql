-- The review queue sorts, filters and counts the whole backlog in SQL: each item keeps its top
-- detector score, that detector and its category, written with the scores (scoreContentItem).
-- Hand-edited: backfill of existing items from their detector_scores rows, before the indexes.

-- AlterTable
ALTER TABLE "content_items" ADD COLUMN     "topCategory" TEXT,
ADD COLUMN     "topDetector" TEXT,
ADD COLUMN     "topScore" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- Backfill: the highest score (ties: the first detector by name), as scoreContentItem picks it.
UPDATE "content_items" c SET "topScore" = t."score", "topDetector" = t."detector"
FROM (
    SELECT DISTINCT ON ("itemId") "itemId", "detector", "score" FROM "detector_scores"
    ORDER BY "itemId", "score" DESC, "detector" ASC
) t
WHERE t."itemId" = c."id";

-- The category: the vocabulary's for a shipped detector (DETECTOR_CATEGORY as of this
-- migration), else the one the policy stored in the item's reasons for that detector; an item
-- with no scores (the pipeline refused its input) takes its first reason's category.
UPDATE "content_items" c SET "topCategory" = CASE c."topDetector"
        WHEN 'pdq-near-duplicate' THEN 'near-duplicate'
        WHEN 'caption-abuse' THEN 'abuse'
        WHEN 'caption-spam' THEN 'spam'
        WHEN 'nsfw-explicit' THEN 'explicit'
        WHEN 'synthetic-image' THEN 'synthetic'
        ELSE (
            SELECT r.value ->> 'category' FROM jsonb_array_elements(
                CASE WHEN jsonb_typeof(c."reasons") = 'array' THEN c."reasons" ELSE '[]'::jsonb END
            ) WITH ORDINALITY AS r(value, n)
            WHERE c."topDetector" IS NULL OR r.value ->> 'detector' = c."topDetector"
            ORDER BY r.n LIMIT 1
        )
    END
WHERE c."topDetector" IS NOT NULL OR jsonb_typeof(c."reasons") = 'array';

-- Only the vocabulary's categories are kept (the queue filters by them).
UPDATE "content_items" SET "topCategory" = NULL
WHERE "topCategory" IS NOT NULL
  AND "topCategory" NOT IN ('near-duplicate', 'abuse', 'spam', 'explicit', 'synthetic', 'detector-error');

-- CreateIndex
CREATE INDEX "content_items_status_topScore_idx" ON "content_items"("status", "topScore");

-- CreateIndex
CREATE INDEX "content_items_status_topCategory_topScore_idx" ON "content_items"("status", "topCategory", "topScore");
