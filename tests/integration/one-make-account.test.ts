/**
 * One Make account per user, held by the database (migration 20261127090000_one_make_account_per_user):
 * the migration reduces existing duplicates to the row in use, tells the user in the activity log, and
 * the unique index refuses a second Make account from then on.
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { applyMigrations } from "@/scripts/database/migrate";
import { freshDatabase, type FreshDatabase } from "../support/postgres";

const migrationsDir = path.resolve(import.meta.dirname, "../../prisma/migrations");
const INIT = "20261122000000_init";

let database: FreshDatabase;
let pool: pg.Pool;
let onlyInit: string;
const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
  (await pool.query<T>(sql, params)).rows;

beforeAll(async () => {
  database = await freshDatabase(inject("postgresUrl"), { migrate: false });
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  onlyInit = await mkdtemp(path.join(tmpdir(), "one-make-account-"));
  await cp(path.join(migrationsDir, INIT), path.join(onlyInit, INIT), { recursive: true });
  await cp(path.join(migrationsDir, "migration_lock.toml"), path.join(onlyInit, "migration_lock.toml"));
  await applyMigrations(database.url, { migrationsDir: onlyInit });
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
  if (onlyInit) await rm(onlyInit, { recursive: true, force: true });
});

const account = (
  id: string,
  userId: string,
  sub: string,
  state: string,
  connectedAt: string,
  token: string | null,
) =>
  query(
    `INSERT INTO "Account" (id, "userId", type, provider, "providerAccountId", state, "connectedAt", "updatedAt", access_token)
     VALUES ($1, $2, 'oidc', 'make', $3, $4::"ConnectionState", $5, now(), $6)`,
    [id, userId, sub, state, connectedAt, token],
  );

describe("one Make account per user", () => {
  it("keeps the active account of a user who had two, records why the other went, and leaves others alone", async () => {
    await query(`INSERT INTO "User" (id, "updatedAt") VALUES ('u1', now()), ('u2', now())`);
    // u1: the old revoked row and the newer active one a Reconnect as another Make user created.
    await account("old", "u1", "1001", "revoked", "2026-01-01T00:00:00Z", null);
    await account("new", "u1", "1003", "active", "2026-02-01T00:00:00Z", "enc:v1:k:iv:ct");
    await account("solo", "u2", "1002", "active", "2026-01-15T00:00:00Z", "enc:v1:k:iv:ct2");

    await applyMigrations(database.url, { migrationsDir });

    const rows = await query(`SELECT id, "userId" FROM "Account" ORDER BY id`);
    expect(rows).toEqual([
      { id: "new", userId: "u1" },
      { id: "solo", userId: "u2" },
    ]);
    const events = await query(`SELECT "userId", kind, outcome, "errorCode", detail FROM "ConnectionEvent"`);
    expect(events).toEqual([
      {
        userId: "u1",
        kind: "revocation_failed",
        outcome: "error",
        errorCode: "duplicate_account_removed",
        detail: "A second Make account (Make user 1001) was disconnected: one Make account per user.",
      },
    ]);
  });

  it("refuses a second Make account for the same user", async () => {
    await expect(account("again", "u1", "1004", "active", "2026-03-01T00:00:00Z", null)).rejects.toThrow(
      /Account_userId_provider_key/,
    );
    expect(await query(`SELECT count(*)::int AS n FROM "Account" WHERE "userId" = 'u1'`)).toEqual([{ n: 1 }]);
  });
});
