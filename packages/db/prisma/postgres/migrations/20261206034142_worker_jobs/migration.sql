-- CreateEnum
CREATE TYPE "WorkerJobKind" AS ENUM ('EXPORT_RUN', 'RECALIBRATE');

-- CreateEnum
CREATE TYPE "WorkerJobStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "worker_jobs" (
    "id" TEXT NOT NULL,
    "kind" "WorkerJobKind" NOT NULL,
    "status" "WorkerJobStatus" NOT NULL DEFAULT 'PENDING',
    "runId" TEXT,
    "result" JSONB,
    "error" TEXT,
    "workerId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "worker_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "worker_jobs_status_createdAt_idx" ON "worker_jobs"("status", "createdAt");

-- CreateIndex
CREATE INDEX "worker_jobs_runId_kind_createdAt_idx" ON "worker_jobs"("runId", "kind", "createdAt");
