-- A deleted user's queued revocations stay until Make confirms them, no longer naming the user.
ALTER TABLE "PendingRevocation" ALTER COLUMN "userId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "ScenarioRun" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "scenarioId" INTEGER NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "zone" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "executionId" TEXT,
    "problemKind" TEXT,
    "problemMessage" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScenarioRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ScenarioRun_userId_createdAt_idx" ON "ScenarioRun"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ScenarioRun_userId_requestKey_key" ON "ScenarioRun"("userId", "requestKey");

-- AddForeignKey
ALTER TABLE "ScenarioRun" ADD CONSTRAINT "ScenarioRun_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
