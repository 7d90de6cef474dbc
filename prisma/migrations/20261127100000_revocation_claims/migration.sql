-- A pending revocation is claimed by one delivery run at a time (lib/tokens/revoke.ts): overlapping runs,
-- in one process or several, skip rows another run holds until its claim expires.
ALTER TABLE "PendingRevocation" ADD COLUMN "claimedUntil" TIMESTAMP(3);
