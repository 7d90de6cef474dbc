-- CreateTable
CREATE TABLE "MakeApiBudget" (
    "organizationId" INTEGER NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "spent" INTEGER NOT NULL DEFAULT 0,
    "apiLimit" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MakeApiBudget_pkey" PRIMARY KEY ("organizationId")
);

-- CreateTable
CREATE TABLE "MakeObservation" (
    "fact" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MakeObservation_pkey" PRIMARY KEY ("fact")
);
