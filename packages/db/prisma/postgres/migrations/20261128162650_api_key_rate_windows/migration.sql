-- CreateTable
CREATE TABLE "api_key_rate_windows" (
    "apiKeyId" TEXT NOT NULL,
    "windowStart" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "api_key_rate_windows_pkey" PRIMARY KEY ("apiKeyId","windowStart")
);

-- AddForeignKey
ALTER TABLE "api_key_rate_windows" ADD CONSTRAINT "api_key_rate_windows_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
