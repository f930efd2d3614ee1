-- AlterTable
ALTER TABLE "content_items" ADD COLUMN "scoringBy" TEXT;
ALTER TABLE "content_items" ADD COLUMN "scoringUntil" DATETIME;
