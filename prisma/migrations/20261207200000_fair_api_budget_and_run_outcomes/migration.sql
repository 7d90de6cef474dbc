-- Make's API budget is keyed by zone and organization id (ids may repeat across zones and private
-- instances). The rows only pace the current minute, so the old table is replaced rather than migrated.
DROP TABLE "MakeApiBudget";

-- CreateTable
CREATE TABLE "MakeApiBudget" (
    "zone" TEXT NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "spent" INTEGER NOT NULL DEFAULT 0,
    "apiLimit" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MakeApiBudget_pkey" PRIMARY KEY ("zone","organizationId")
);

-- CreateTable
CREATE TABLE "MakeApiBudgetShare" (
    "zone" TEXT NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "spent" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "MakeApiBudgetShare_pkey" PRIMARY KEY ("zone","organizationId","userId")
);

-- AlterTable
ALTER TABLE "ScenarioRun" ADD COLUMN "executionStatus" TEXT,
ADD COLUMN "executionError" TEXT,
ADD COLUMN "finishedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ScenarioRun_userId_scenarioId_createdAt_idx" ON "ScenarioRun"("userId", "scenarioId", "createdAt");

-- The fair reservation (lib/make/budget.ts, docs/architecture.md): one call, one round trip, each
-- organization's row locked while its grant is decided, so concurrent servers never grant past its limit.
CREATE FUNCTION "make_api_reserve"(
    p_zones TEXT[], p_ids INTEGER[], p_asked INTEGER[], p_user TEXT, p_window INTEGER, p_default_limit INTEGER
) RETURNS TABLE ("zone" TEXT, "organizationId" INTEGER, "granted" INTEGER, "retryAfter" INTEGER)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    i INTEGER;
    t TIMESTAMP(3) := now() AT TIME ZONE 'UTC';
    w_start TIMESTAMP(3);
    w_spent INTEGER;
    w_limit INTEGER;
    others INTEGER;
    mine INTEGER;
    share INTEGER;
    g INTEGER;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        INSERT INTO "MakeApiBudget" AS b ("zone", "organizationId", "windowStart", "spent", "updatedAt")
        VALUES (p_zones[i], p_ids[i], t, 0, t) ON CONFLICT DO NOTHING;
        SELECT b."windowStart", b."spent", coalesce(b."apiLimit", p_default_limit)
          INTO w_start, w_spent, w_limit
          FROM "MakeApiBudget" AS b
         WHERE b."zone" = p_zones[i] AND b."organizationId" = p_ids[i]
           FOR UPDATE;
        IF w_start <= t - p_window * interval '1 second' THEN
            w_start := t;
            w_spent := 0;
            -- Shares of past windows say nothing any more: they go when the next window opens.
            DELETE FROM "MakeApiBudgetShare" AS s
             WHERE s."zone" = p_zones[i] AND s."organizationId" = p_ids[i] AND s."windowStart" < w_start;
        END IF;
        SELECT count(*) FILTER (WHERE s."userId" <> p_user),
               coalesce(sum(s."spent") FILTER (WHERE s."userId" = p_user), 0)
          INTO others, mine
          FROM "MakeApiBudgetShare" AS s
         WHERE s."zone" = p_zones[i] AND s."organizationId" = p_ids[i] AND s."windowStart" = w_start;
        share := ceil(w_limit::numeric / greatest(2, others + 1));
        g := greatest(0, least(p_asked[i], w_limit - w_spent, share - mine));
        UPDATE "MakeApiBudget" AS b
           SET "windowStart" = w_start, "spent" = w_spent + g, "updatedAt" = t
         WHERE b."zone" = p_zones[i] AND b."organizationId" = p_ids[i];
        INSERT INTO "MakeApiBudgetShare" AS s ("zone", "organizationId", "userId", "windowStart", "spent")
        VALUES (p_zones[i], p_ids[i], p_user, w_start, g)
        ON CONFLICT ("zone", "organizationId", "userId") DO UPDATE SET
            "spent" = CASE WHEN s."windowStart" = EXCLUDED."windowStart" THEN s."spent" + EXCLUDED."spent"
                      ELSE EXCLUDED."spent" END,
            "windowStart" = EXCLUDED."windowStart";
        "zone" := p_zones[i];
        "organizationId" := p_ids[i];
        "granted" := g;
        "retryAfter" := greatest(1, ceil(extract(epoch FROM (w_start + p_window * interval '1 second' - t))))::INTEGER;
        RETURN NEXT;
    END LOOP;
END
$$;
