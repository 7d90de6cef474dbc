// `npm run db:migrate` through a real PgBouncer in transaction mode (what Neon's and Supabase's default URLs
// are): concurrent runs apply each migration once and leave no advisory lock behind on any server
// connection, and the direct URL (DATABASE_URL_UNPOOLED) wins over the pooled one when both are set; a migration
// with its own BEGIN … COMMIT runs only over the direct URL.
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { applyMigrations } from "../../scripts/database/migrate";
import { startPgBouncer, type PgBouncer } from "../support/pgbouncer";
import { freshDatabase } from "../support/postgres";

const root = path.resolve(import.meta.dirname, "../..");
let pooler: PgBouncer;
let project: string;
let migrationNames: string[];

beforeAll(async () => {
  pooler = await startPgBouncer(inject("postgresUrl"), { poolSize: 2 });
  // A checkout with three migrations: the committed ones and two more, so runs can interleave between them.
  project = await mkdtemp(path.join(tmpdir(), "migrations-pooler-"));
  const migrations = path.join(project, "prisma", "migrations");
  await cp(path.join(root, "prisma", "migrations"), migrations, { recursive: true });
  for (const name of ["20991231000001_first_probe", "20991231000002_second_probe"]) {
    await mkdir(path.join(migrations, name));
    await writeFile(
      path.join(migrations, name, "migration.sql"),
      `CREATE TABLE "${name}" ("id" TEXT NOT NULL);\n`,
    );
  }
  migrationNames = (await readdir(migrations, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
});

afterAll(async () => {
  await pooler?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

describe("db:migrate through a transaction-mode pooler", () => {
  it("applies each migration once for two runs at the same time, strands no lock, and runs again at once", async () => {
    const database = await freshDatabase(inject("postgresUrl"), { migrate: false });
    try {
      const pooled = pooler.pooledUrl(database.url);
      const runs = await Promise.all([
        dbMigrate({ DATABASE_URL: pooled }),
        dbMigrate({ DATABASE_URL: pooled }),
      ]);
      expect(
        runs.map((run) => run.code),
        runs.map((run) => run.output).join("\n"),
      ).toEqual([0, 0]);

      const rows = await query(
        database.url,
        "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name",
      );
      expect(rows.map((row) => row.migration_name)).toEqual(migrationNames);
      // PgBouncer keeps its server connections open: a lock left on one of them would show here.
      expect(
        await query(inject("postgresUrl"), "SELECT objid FROM pg_locks WHERE locktype = 'advisory'"),
      ).toEqual([]);

      const third = await applyMigrations(pooled, {
        migrationsDir: path.join(project, "prisma", "migrations"),
        lockTimeoutMs: 5_000,
      });
      expect(third).toEqual({ applied: [] });
    } finally {
      await database.drop();
    }
  }, 60_000);

  it("migrates over DATABASE_URL_UNPOOLED when it is set, not DATABASE_URL", async () => {
    const database = await freshDatabase(inject("postgresUrl"), { migrate: false });
    try {
      const run = await dbMigrate({
        DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
        DATABASE_URL_UNPOOLED: database.url,
      });
      expect(run.code, run.output).toBe(0);
      expect(await query(database.url, "SELECT count(*)::int AS n FROM _prisma_migrations")).toEqual([
        { n: migrationNames.length },
      ]);
    } finally {
      await database.drop();
    }
  }, 60_000);
});

describe("db:migrate and a migration with its own BEGIN … COMMIT", () => {
  it("refuses it over a pooled DATABASE_URL alone and applies it over DATABASE_URL_UNPOOLED", async () => {
    const checkout = await mkdtemp(path.join(tmpdir(), "migrations-own-transaction-"));
    const database = await freshDatabase(inject("postgresUrl"));
    try {
      const enumChange = path.join(checkout, "prisma", "migrations", "20991231000003_enum_change");
      await cp(path.join(root, "prisma", "migrations"), path.dirname(enumChange), { recursive: true });
      await mkdir(enumChange);
      await writeFile(
        path.join(enumChange, "migration.sql"),
        `BEGIN;\nCREATE TYPE "ProbeState" AS ENUM ('active', 'revoked');\nCOMMIT;\n`,
      );
      const typeExists = async () =>
        (await query(database.url, `SELECT to_regtype('"ProbeState"') IS NOT NULL AS present`))[0]?.present;

      const pooled = await dbMigrate({ DATABASE_URL: pooler.pooledUrl(database.url) }, checkout);
      expect(pooled.code, pooled.output).toBe(1);
      expect(pooled.output).toMatch(
        /20991231000003_enum_change has its own BEGIN, COMMIT.*DATABASE_URL_UNPOOLED/s,
      );
      expect(await typeExists()).toBe(false);

      const direct = await dbMigrate(
        { DATABASE_URL: pooler.pooledUrl(database.url), DATABASE_URL_UNPOOLED: database.url },
        checkout,
      );
      expect(direct.code, direct.output).toBe(0);
      expect(direct.output).toMatch(/Applied 1 migration\(s\).*20991231000003_enum_change/);
      expect(await typeExists()).toBe(true);
    } finally {
      await database.drop();
      await rm(checkout, { recursive: true, force: true });
    }
  }, 60_000);
});

/** `npm run db:migrate` as a process of its own, in the scratch checkout (or `cwd`). */
function dbMigrate(
  env: Record<string, string>,
  cwd = project,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/db-migrate.ts")],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
