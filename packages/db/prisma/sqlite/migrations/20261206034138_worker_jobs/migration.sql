-- CreateTable
CREATE TABLE "worker_jobs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "runId" TEXT,
    "result" JSONB,
    "error" TEXT,
    "workerId" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "worker_jobs_status_createdAt_idx" ON "worker_jobs"("status", "createdAt");

-- CreateIndex
CREATE INDEX "worker_jobs_runId_kind_createdAt_idx" ON "worker_jobs"("runId", "kind", "createdAt");
