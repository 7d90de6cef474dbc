-- AlterEnum
ALTER TYPE "ConnectionState" ADD VALUE 'lapsed';

-- CreateTable
CREATE TABLE "MakeEventOutbox" (
    "id" TEXT NOT NULL,
    "sequence" BIGSERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "handled" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedUntil" TIMESTAMP(3),

    CONSTRAINT "MakeEventOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForgottenSession" (
    "sessionToken" TEXT NOT NULL,
    "forgottenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ForgottenSession_pkey" PRIMARY KEY ("sessionToken")
);

-- CreateIndex
CREATE UNIQUE INDEX "MakeEventOutbox_sequence_key" ON "MakeEventOutbox"("sequence");

-- CreateIndex
CREATE INDEX "MakeEventOutbox_userId_sequence_idx" ON "MakeEventOutbox"("userId", "sequence");

-- CreateIndex
CREATE INDEX "ForgottenSession_forgottenAt_idx" ON "ForgottenSession"("forgottenAt");

-- A queued revocation names a user who exists, or nobody.
UPDATE "PendingRevocation" p SET "userId" = NULL
WHERE p."userId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "User" u WHERE u.id = p."userId");

-- AddForeignKey
ALTER TABLE "PendingRevocation" ADD CONSTRAINT "PendingRevocation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
