-- CreateTable
CREATE TABLE "hash_bank_events" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "action" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "actorRole" TEXT,
    "count" INTEGER NOT NULL,
    "label" TEXT,
    "hash" TEXT,
    "itemId" TEXT,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_hash_bank_entries" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hash" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL DEFAULT 'blockhash-256',
    "label" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "note" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "quality" INTEGER,
    "variant" TEXT,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "sourceItemId" TEXT,
    "matchCount" INTEGER NOT NULL DEFAULT 0,
    "lastMatchedAt" DATETIME,
    CONSTRAINT "hash_bank_entries_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "hash_bank_entries_sourceItemId_fkey" FOREIGN KEY ("sourceItemId") REFERENCES "content_items" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
-- Hand-edited: the two old labels become the new ones (KNOWN_BAD -> CUSTOM, whose matches the
-- default policy still sends to review; INFRINGING -> COPYRIGHT), and duplicate (algorithm, hash,
-- label) rows, which the new unique index forbids, keep their oldest row.
INSERT INTO "new_hash_bank_entries" ("algorithm", "createdAt", "createdById", "hash", "id", "label", "note", "source")
SELECT "algorithm", "createdAt", "createdById", "hash", "id",
    CASE "label" WHEN 'KNOWN_BAD' THEN 'CUSTOM' WHEN 'INFRINGING' THEN 'COPYRIGHT' ELSE "label" END,
    "note", "source"
FROM "hash_bank_entries" AS e
WHERE NOT EXISTS (
    SELECT 1 FROM "hash_bank_entries" AS d
    WHERE d."algorithm" = e."algorithm" AND d."hash" = e."hash" AND d."label" = e."label"
      AND (d."createdAt" < e."createdAt" OR (d."createdAt" = e."createdAt" AND d."id" < e."id"))
);
DROP TABLE "hash_bank_entries";
ALTER TABLE "new_hash_bank_entries" RENAME TO "hash_bank_entries";
CREATE INDEX "hash_bank_entries_hash_idx" ON "hash_bank_entries"("hash");
CREATE INDEX "hash_bank_entries_sourceItemId_idx" ON "hash_bank_entries"("sourceItemId");
CREATE INDEX "hash_bank_entries_createdAt_idx" ON "hash_bank_entries"("createdAt");
CREATE UNIQUE INDEX "hash_bank_entries_algorithm_hash_label_key" ON "hash_bank_entries"("algorithm", "hash", "label");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "hash_bank_events_createdAt_idx" ON "hash_bank_events"("createdAt");

-- Hand-written: the bank's audit trail is append-only, like the decision log.
CREATE TRIGGER "hash_bank_events_no_update" BEFORE UPDATE ON "hash_bank_events"
BEGIN
    SELECT RAISE(ABORT, 'hash bank events are append-only');
END;

CREATE TRIGGER "hash_bank_events_no_delete" BEFORE DELETE ON "hash_bank_events"
BEGIN
    SELECT RAISE(ABORT, 'hash bank events are append-only');
END;
