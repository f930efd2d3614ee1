-- AlterTable
ALTER TABLE "detector_models" ADD COLUMN "heartbeatAt" DATETIME;
