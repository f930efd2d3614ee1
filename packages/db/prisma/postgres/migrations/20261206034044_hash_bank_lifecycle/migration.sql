-- The hash bank's lifecycle: the labels hash-sharing programmes use, quality, disabled entries,
-- the source item, match counts, and an append-only audit trail.
-- Hand-edited: label mapping, de-duplication and triggers. The migration runs as one transaction.

-- CreateEnum
CREATE TYPE "HashBankAction" AS ENUM ('ADD', 'IMPORT', 'DISABLE', 'ENABLE', 'DELETE');

-- AlterEnum: KNOWN_BAD -> CUSTOM (whose matches the default policy still sends to review),
-- INFRINGING -> COPYRIGHT.
CREATE TYPE "HashBankLabel_new" AS ENUM ('CSAM', 'TERROR', 'NON_CONSENSUAL', 'COPYRIGHT', 'SPAM', 'CUSTOM');
ALTER TABLE "hash_bank_entries" ALTER COLUMN "label" TYPE "HashBankLabel_new" USING (
    CASE "label"::text WHEN 'KNOWN_BAD' THEN 'CUSTOM' WHEN 'INFRINGING' THEN 'COPYRIGHT' ELSE "label"::text END
)::"HashBankLabel_new";
ALTER TYPE "HashBankLabel" RENAME TO "HashBankLabel_old";
ALTER TYPE "HashBankLabel_new" RENAME TO "HashBankLabel";
DROP TYPE "HashBankLabel_old";

-- Duplicate (algorithm, hash, label) rows, which the new unique index forbids, keep their oldest.
DELETE FROM "hash_bank_entries" AS e USING "hash_bank_entries" AS d
WHERE d."algorithm" = e."algorithm" AND d."hash" = e."hash" AND d."label" = e."label"
  AND (d."createdAt" < e."createdAt" OR (d."createdAt" = e."createdAt" AND d."id" < e."id"));

-- AlterTable
ALTER TABLE "hash_bank_entries" ADD COLUMN     "disabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lastMatchedAt" TIMESTAMP(3),
ADD COLUMN     "matchCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "quality" INTEGER,
ADD COLUMN     "sourceItemId" TEXT,
ADD COLUMN     "variant" TEXT;

-- CreateTable
CREATE TABLE "hash_bank_events" (
    "id" TEXT NOT NULL,
    "action" "HashBankAction" NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "actorRole" "Role",
    "count" INTEGER NOT NULL,
    "label" "HashBankLabel",
    "hash" TEXT,
    "itemId" TEXT,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hash_bank_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "hash_bank_events_createdAt_idx" ON "hash_bank_events"("createdAt");

-- CreateIndex
CREATE INDEX "hash_bank_entries_sourceItemId_idx" ON "hash_bank_entries"("sourceItemId");

-- CreateIndex
CREATE INDEX "hash_bank_entries_createdAt_idx" ON "hash_bank_entries"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "hash_bank_entries_algorithm_hash_label_key" ON "hash_bank_entries"("algorithm", "hash", "label");

-- AddForeignKey
ALTER TABLE "hash_bank_entries" ADD CONSTRAINT "hash_bank_entries_sourceItemId_fkey" FOREIGN KEY ("sourceItemId") REFERENCES "content_items"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written: the bank's audit trail is append-only, like the decision log.
CREATE FUNCTION "hash_bank_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hash bank events are append-only' USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "hash_bank_events_no_update_or_delete" BEFORE UPDATE OR DELETE ON "hash_bank_events"
    FOR EACH ROW EXECUTE FUNCTION "hash_bank_events_append_only"();

CREATE TRIGGER "hash_bank_events_no_truncate" BEFORE TRUNCATE ON "hash_bank_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "hash_bank_events_append_only"();
