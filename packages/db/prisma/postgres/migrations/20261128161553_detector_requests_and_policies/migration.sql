-- CreateEnum
CREATE TYPE "DetectorModelStatus" AS ENUM ('PENDING', 'TRAINING', 'READY', 'FAILED');

-- AlterTable
ALTER TABLE "detector_models" ADD COLUMN     "activatedAt" TIMESTAMP(3),
ADD COLUMN     "config" JSONB,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "startedAt" TIMESTAMP(3),
ADD COLUMN     "status" "DetectorModelStatus" NOT NULL DEFAULT 'READY',
ADD COLUMN     "workerId" TEXT;

-- CreateTable
CREATE TABLE "moderation_policies" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "evaluation" JSONB,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMP(3),

    CONSTRAINT "moderation_policies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "moderation_policies_version_key" ON "moderation_policies"("version");

-- CreateIndex
CREATE INDEX "moderation_policies_active_idx" ON "moderation_policies"("active");

-- CreateIndex
CREATE INDEX "detector_models_status_createdAt_idx" ON "detector_models"("status", "createdAt");

-- AddForeignKey
ALTER TABLE "moderation_policies" ADD CONSTRAINT "moderation_policies_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
