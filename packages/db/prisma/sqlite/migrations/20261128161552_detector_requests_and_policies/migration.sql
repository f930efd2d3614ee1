-- CreateTable
CREATE TABLE "moderation_policies" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "version" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "evaluation" JSONB,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" DATETIME,
    CONSTRAINT "moderation_policies_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_detector_models" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sourceRunId" TEXT,
    "sourceStep" INTEGER,
    "path" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'READY',
    "config" JSONB,
    "evaluation" JSONB,
    "error" TEXT,
    "workerId" TEXT,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "activatedAt" DATETIME,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "detector_models_sourceRunId_fkey" FOREIGN KEY ("sourceRunId") REFERENCES "training_runs" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "detector_models_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_detector_models" ("active", "createdAt", "createdById", "evaluation", "id", "kind", "name", "path", "sourceRunId", "sourceStep") SELECT "active", "createdAt", "createdById", "evaluation", "id", "kind", "name", "path", "sourceRunId", "sourceStep" FROM "detector_models";
DROP TABLE "detector_models";
ALTER TABLE "new_detector_models" RENAME TO "detector_models";
CREATE INDEX "detector_models_kind_active_idx" ON "detector_models"("kind", "active");
CREATE INDEX "detector_models_status_createdAt_idx" ON "detector_models"("status", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "moderation_policies_version_key" ON "moderation_policies"("version");

-- CreateIndex
CREATE INDEX "moderation_policies_active_idx" ON "moderation_policies"("active");
