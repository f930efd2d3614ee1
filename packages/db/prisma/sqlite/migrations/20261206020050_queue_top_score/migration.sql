-- The review queue sorts, filters and counts the whole backlog in SQL: each item keeps its top
-- detector score, that detector and its category, written with the scores (scoreContentItem).
-- Hand-edited: backfill of existing items from their detector_scores rows, before the indexes.

-- AlterTable
ALTER TABLE "content_items" ADD COLUMN "topCategory" TEXT;
ALTER TABLE "content_items" ADD COLUMN "topDetector" TEXT;
ALTER TABLE "content_items" ADD COLUMN "topScore" REAL NOT NULL DEFAULT 0;

-- Backfill: the highest score (ties: the first detector by name), as scoreContentItem picks it.
UPDATE "content_items" SET
    "topScore" = (SELECT MAX(s."score") FROM "detector_scores" s WHERE s."itemId" = "content_items"."id"),
    "topDetector" = (
        SELECT s."detector" FROM "detector_scores" s WHERE s."itemId" = "content_items"."id"
        ORDER BY s."score" DESC, s."detector" ASC LIMIT 1
    )
WHERE EXISTS (SELECT 1 FROM "detector_scores" s WHERE s."itemId" = "content_items"."id");

-- The category: the vocabulary's for a shipped detector (DETECTOR_CATEGORY as of this
-- migration), else the one the policy stored in the item's reasons for that detector; an item
-- with no scores (the pipeline refused its input) takes its first reason's category.
UPDATE "content_items" SET "topCategory" = CASE "topDetector"
        WHEN 'pdq-near-duplicate' THEN 'near-duplicate'
        WHEN 'caption-abuse' THEN 'abuse'
        WHEN 'caption-spam' THEN 'spam'
        WHEN 'nsfw-explicit' THEN 'explicit'
        WHEN 'synthetic-image' THEN 'synthetic'
        ELSE (
            -- Paths into the whole (valid) document: a non-object element yields NULL, not an error.
            SELECT json_extract("content_items"."reasons", r."fullkey" || '.category')
            FROM json_each(CASE WHEN json_valid("content_items"."reasons") AND json_type("content_items"."reasons") = 'array'
                                THEN "content_items"."reasons" ELSE '[]' END) r
            WHERE "content_items"."topDetector" IS NULL
               OR json_extract("content_items"."reasons", r."fullkey" || '.detector') = "content_items"."topDetector"
            ORDER BY r."key" LIMIT 1
        )
    END
WHERE "topDetector" IS NOT NULL
   OR ("reasons" IS NOT NULL AND json_valid("reasons") AND json_type("reasons") = 'array');

-- Only the vocabulary's categories are kept (the queue filters by them).
UPDATE "content_items" SET "topCategory" = NULL
WHERE "topCategory" IS NOT NULL
  AND "topCategory" NOT IN ('near-duplicate', 'abuse', 'spam', 'explicit', 'synthetic', 'detector-error');

-- CreateIndex
CREATE INDEX "content_items_status_topScore_idx" ON "content_items"("status", "topScore");

-- CreateIndex
CREATE INDEX "content_items_status_topCategory_topScore_idx" ON "content_items"("status", "topCategory", "topScore");
