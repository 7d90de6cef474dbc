// Migration files with their own BEGIN … COMMIT (what `prisma migrate diff` writes when an enum changes) against
// real PostgreSQL: they run as Prisma runs them, outside the runner's transaction but under its lock, and a
// failure part-way is recorded the way `prisma migrate deploy` records it. A normal file still runs in one
// transaction together with its history row.
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { applyMigrations, migrationChecksum } from "../../scripts/database/migrate";
import { freshDatabase, type FreshDatabase } from "../support/postgres";

const root = path.resolve(import.meta.dirname, "../..");
const migrationsDir = path.join(root, "prisma", "migrations");
const PRISMA_MIGRATE_LOCK_KEY = 72707369;
// A lock the test holds, so a migration can be stopped part-way on purpose.
const HELD_BY_TEST_KEY = 4242;

// The failing statements fail when they run: a syntax error anywhere in a file is found when PostgreSQL
// parses the whole file, before any of it runs, so it could not show a partial apply.
const ENUM_CHANGE = `BEGIN;
CREATE TYPE "ProbeState" AS ENUM ('active', 'revoked');
COMMIT;
`;

let scratch: string;
let committed: string[];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "migrations-own-transaction-"));
  committed = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("a migration with its own BEGIN … COMMIT", () => {
  it("keeps what its COMMIT committed, rolls back the rest, records it failed as Prisma does, and reports it", async () => {
    await withFreshDatabase(async (db) => {
      const script = `${ENUM_CHANGE}CREATE TABLE "AfterCommit" ("id" TEXT NOT NULL);\nALTER TABLE "NoSuchTable" ADD COLUMN "state" "ProbeState";\n`;
      const dir = await migrationsWith({ "20991231000000_enum": script });

      await expect(applyMigrations(db.url, { migrationsDir: dir, unpooled: true })).rejects.toThrow(
        /20991231000000_enum failed part-way.*relation "NoSuchTable" does not exist.*recorded as failed/s,
      );

      expect(await typeExists(db.url, "ProbeState")).toBe(true);
      expect(await tableExists(db.url, "AfterCommit")).toBe(false);
      const rows = await history(db.url);
      expect(rows.map((row) => row.migration_name)).toEqual([...committed, "20991231000000_enum"]);
      const failed = rows.at(-1)!;
      expect(failed).toMatchObject({
        checksum: migrationChecksum(script),
        finished_at: null,
        rolled_back_at: null,
        applied_steps_count: 0,
      });
      expect(failed.started_at).toBeInstanceOf(Date);
      expect(failed.logs).toMatch(
        /Database error code: 42P01\n\nDatabase error:\n.*relation "NoSuchTable" does not exist/s,
      );
      expect(await advisoryLocks(db.url)).toEqual([]);

      // Like `prisma migrate deploy`, the next run refuses until the failed attempt is resolved.
      await expect(applyMigrations(db.url, { migrationsDir: dir, unpooled: true })).rejects.toThrow(
        /20991231000000_enum is recorded as failed.*relation "NoSuchTable" does not exist.*Nothing was applied/s,
      );
      expect(await history(db.url)).toEqual(rows);
    });
  });

  it("records the failure when it fails inside its own block, leaving nothing of that block", async () => {
    await withFreshDatabase(async (db) => {
      const script = `BEGIN;\nCREATE TYPE "ProbeState" AS ENUM ('active');\nALTER TABLE "NoSuchTable" ADD COLUMN "state" "ProbeState";\nCOMMIT;\n`;
      const dir = await migrationsWith({ "20991231000000_enum": script });

      await expect(applyMigrations(db.url, { migrationsDir: dir, unpooled: true })).rejects.toThrow(
        /20991231000000_enum failed part-way/,
      );
      expect(await typeExists(db.url, "ProbeState")).toBe(false);
      expect((await history(db.url)).at(-1)).toMatchObject({
        migration_name: "20991231000000_enum",
        finished_at: null,
        logs: expect.stringMatching(/relation "NoSuchTable" does not exist/),
      });
      expect(await advisoryLocks(db.url)).toEqual([]);
    });
  });

  it("holds the migration lock throughout, so a run that starts meanwhile waits and then sees the failure", async () => {
    await withFreshDatabase(async (db) => {
      const script = `${ENUM_CHANGE}SELECT pg_advisory_xact_lock(${HELD_BY_TEST_KEY});\nALTER TABLE "NoSuchTable" ADD COLUMN "state" "ProbeState";\n`;
      const dir = await migrationsWith({ "20991231000000_enum": script });
      const options = { migrationsDir: dir, unpooled: true, lockTimeoutMs: 20_000 };

      const gate = new pg.Client({ connectionString: db.url });
      await gate.connect();
      try {
        await gate.query("SELECT pg_advisory_lock($1)", [HELD_BY_TEST_KEY]);
        const first = settle(applyMigrations(db.url, options));
        await waitForLockWaiter(db.url, HELD_BY_TEST_KEY); // the first run is past its COMMIT
        const second = settle(applyMigrations(db.url, options));
        await waitForLockWaiter(db.url, PRISMA_MIGRATE_LOCK_KEY);
        expect(await typeExists(db.url, "ProbeState")).toBe(true);

        await gate.query("SELECT pg_advisory_unlock($1)", [HELD_BY_TEST_KEY]);
        expect(await first).toMatchObject({ error: expect.stringMatching(/failed part-way/) });
        expect(await second).toMatchObject({
          error: expect.stringMatching(/20991231000000_enum is recorded as failed.*Nothing was applied/s),
        });
      } finally {
        await gate.end();
      }
      const rows = await history(db.url);
      expect(rows.filter((row) => row.migration_name === "20991231000000_enum")).toHaveLength(1);
      expect(await advisoryLocks(db.url)).toEqual([]);
    });
  });

  it("runs one that succeeds on its own, records it finished, and the next file runs in the runner's transaction", async () => {
    await withFreshDatabase(async (db) => {
      const dir = await migrationsWith({
        "20991231000000_enum": `BEGIN;\nCREATE TABLE "ScriptProbe" ("id" INT);\nINSERT INTO "ScriptProbe" VALUES (1);\nCOMMIT;\n`,
        "20991231000001_plain": `CREATE TABLE "PlainProbe" ("id" INT);\nINSERT INTO "PlainProbe" VALUES (1);\n`,
      });

      expect(await applyMigrations(db.url, { migrationsDir: dir, unpooled: true })).toEqual({
        applied: ["20991231000000_enum", "20991231000001_plain"],
      });
      const rows = await history(db.url);
      for (const row of rows.slice(-2)) {
        expect(row).toMatchObject({ applied_steps_count: 1, logs: null, rolled_back_at: null });
        expect(row.finished_at).toBeInstanceOf(Date);
      }
      // xmin is the transaction that wrote a row: one transaction for the plain file and its history row;
      // the script's own COMMIT comes before its history row is finished.
      expect(await writtenInOneTransaction(db.url, "PlainProbe", "20991231000001_plain")).toBe(true);
      expect(await writtenInOneTransaction(db.url, "ScriptProbe", "20991231000000_enum")).toBe(false);
      expect(await advisoryLocks(db.url)).toEqual([]);
    });
  });

  it("refuses, applying nothing of it, when the URL is not known to be a direct connection", async () => {
    await withFreshDatabase(async (db) => {
      const dir = await migrationsWith({ "20991231000000_enum": ENUM_CHANGE });
      await expect(applyMigrations(db.url, { migrationsDir: dir })).rejects.toThrow(
        /20991231000000_enum has its own BEGIN.*DATABASE_URL_UNPOOLED.*Nothing of it was applied/s,
      );
      expect(await typeExists(db.url, "ProbeState")).toBe(false);
      expect((await history(db.url)).map((row) => row.migration_name)).toEqual(committed);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Helpers

async function withFreshDatabase(use: (db: FreshDatabase) => Promise<void>) {
  const db = await freshDatabase(inject("postgresUrl"));
  try {
    await use(db);
  } finally {
    await db.drop();
  }
}

let checkouts = 0;
/** A copy of the committed migrations plus the given later ones (folder name → migration.sql). */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = path.join(scratch, `checkout-${++checkouts}`);
  await cp(migrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

async function query(url: string, sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function history(url: string) {
  return query(url, "SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name");
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const rows = await query(url, "SELECT to_regclass($1) IS NOT NULL AS present", [`public."${table}"`]);
  return rows[0]?.present === true;
}

async function typeExists(url: string, type: string): Promise<boolean> {
  const rows = await query(url, "SELECT to_regtype($1) IS NOT NULL AS present", [`public."${type}"`]);
  return rows[0]?.present === true;
}

/** Advisory locks held or awaited in this database (the suite's server is shared with other files). */
function advisoryLocks(url: string) {
  return query(
    url,
    `SELECT objid, granted FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
}

async function waitForLockWaiter(url: string, key: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await advisoryLocks(url)).some((lock) => lock.objid === key && lock.granted === false)) {
    if (Date.now() > deadline) throw new Error(`no session waited for advisory lock ${key} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function writtenInOneTransaction(url: string, table: string, migration: string): Promise<boolean> {
  const rows = await query(
    url,
    `SELECT (SELECT xmin::text FROM "${table}") = (SELECT xmin::text FROM _prisma_migrations
                                                    WHERE migration_name = $1) AS same`,
    [migration],
  );
  return rows[0]?.same === true;
}

/** The run's outcome without an unhandled rejection while the test is still waiting on something else. */
function settle(run: Promise<unknown>): Promise<{ value?: unknown; error?: string }> {
  return run.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
  );
}
