-- AlterTable
ALTER TABLE "content_items" ADD COLUMN     "scoringBy" TEXT,
ADD COLUMN     "scoringUntil" TIMESTAMP(3);
