-- AlterTable
ALTER TABLE "detector_models" ADD COLUMN     "heartbeatAt" TIMESTAMP(3);
