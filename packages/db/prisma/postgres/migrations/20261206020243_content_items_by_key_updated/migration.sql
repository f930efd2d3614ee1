-- CreateIndex
CREATE INDEX "content_items_submittedByKeyId_updatedAt_id_idx" ON "content_items"("submittedByKeyId", "updatedAt", "id");
