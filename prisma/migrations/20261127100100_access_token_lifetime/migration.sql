-- The lifetime Make gave the current access token, so the refresh margin can be capped at a fraction of it.
ALTER TABLE "Account" ADD COLUMN "accessTokenLifetime" INTEGER;
