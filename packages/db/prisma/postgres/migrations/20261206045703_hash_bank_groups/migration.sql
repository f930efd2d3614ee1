-- AlterTable
ALTER TABLE "hash_bank_entries" ADD COLUMN     "groupId" TEXT;

-- CreateIndex
CREATE INDEX "hash_bank_entries_groupId_idx" ON "hash_bank_entries"("groupId");

-- Backfill: the rows of one banked item (per label) are one picture; any other row is its own.
UPDATE "hash_bank_entries" SET "groupId" = COALESCE('item:' || "sourceItemId" || ':' || "label", "id") WHERE "groupId" IS NULL;
