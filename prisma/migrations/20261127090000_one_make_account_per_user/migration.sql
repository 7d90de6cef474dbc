-- One account per provider and user: a user has at most one Make account (and at most one of any other
-- provider). Before the constraint, rows that break it are reduced to one per user and provider: the active
-- one is kept (its tokens are the ones in use), else the most recently connected. A removed Make account
-- leaves an entry in the user's activity: its tokens could not be revoked from here (they are encrypted
-- for their own column) and stay valid at Make until they expire.
WITH ranked AS (
    SELECT "id",
           row_number() OVER (
               PARTITION BY "userId", "provider"
               ORDER BY ("state" = 'active') DESC, "connectedAt" DESC, "updatedAt" DESC, "id"
           ) AS "rank"
    FROM "Account"
), removed AS (
    DELETE FROM "Account" a USING ranked r
    WHERE a."id" = r."id" AND r."rank" > 1
    RETURNING a."userId", a."provider", a."providerAccountId",
              (a."access_token" IS NOT NULL OR a."refresh_token" IS NOT NULL) AS "heldTokens"
)
INSERT INTO "ConnectionEvent" ("id", "userId", "kind", "outcome", "errorCode", "detail", "createdAt")
SELECT 'm' || md5(random()::text || clock_timestamp()::text || "providerAccountId"),
       "userId",
       'revocation_failed',
       'error',
       'duplicate_account_removed',
       'A second Make account (Make user ' || "providerAccountId"
           || ') was disconnected: one Make account per user.'
           || CASE WHEN "heldTokens" THEN ' Its tokens stay valid at Make until they expire.' ELSE '' END,
       CURRENT_TIMESTAMP
FROM removed
WHERE "provider" = 'make';

-- CreateIndex
CREATE UNIQUE INDEX "Account_userId_provider_key" ON "Account"("userId", "provider");
