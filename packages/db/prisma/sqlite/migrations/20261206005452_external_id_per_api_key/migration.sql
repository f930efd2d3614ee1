-- externalId is unique per API key instead of globally: two platforms may use the same ids.
-- Existing rows satisfy the new constraint, since externalId alone was unique. Items without a
-- key (NULL) are not deduplicated by it (NULLs are distinct in unique indexes on both providers);
-- the submission API always has a key. The plain index serves lookups by externalId alone.
-- DropIndex
DROP INDEX "content_items_externalId_key";

-- CreateIndex
CREATE INDEX "content_items_externalId_idx" ON "content_items"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "content_items_submittedByKeyId_externalId_key" ON "content_items"("submittedByKeyId", "externalId");
