// Applies the committed SQL migrations in prisma/migrations/ without Prisma's schema engine, keeping Prisma
// Migrate's bookkeeping (table, checksums, lock), so `prisma migrate deploy` and this runner share a history.
// What it matches in Prisma, what it does differently and why: scripts/database/README.md.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import pg from "pg";

import { transactionControlStatements } from "./transaction-control";

export interface ApplyMigrationsOptions {
  /** Receives one line per event (migration started, applied, warnings). */
  log?: (line: string) => void;
  /** Folder holding one sub-folder per migration; default `prisma/migrations` under the working directory. */
  migrationsDir?: string;
  /** How long to wait for another process holding the migration lock; default 60 s. */
  lockTimeoutMs?: number;
  /**
   * The URL reaches PostgreSQL without a transaction-mode pooler (DATABASE_URL_UNPOOLED, a server with no
   * pooler, the embedded database). Needed to apply a migration with its own BEGIN … COMMIT.
   */
  unpooled?: boolean;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations this call applied, in order; empty when the database was up to date. */
  applied: string[];
}

/** A refusal or failure with a message meant for the person running the migration. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

// Prisma Migrate's advisory lock key (flavour/postgres.rs: "72707369 is a unique number we chose").
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// Verbatim from prisma-engines' PostgresFlavour::create_migrations_table, plus IF NOT EXISTS (we run it
// under the advisory lock, so it only matters as "create when missing").
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

interface LocalMigration {
  name: string;
  script: string;
  checksum: string;
  /** Its own BEGIN, COMMIT... statements; such a file cannot run inside the runner's transaction. */
  transactionControl: string[];
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export function migrationChecksum(script: string | Buffer): string {
  return createHash("sha256").update(script).digest("hex");
}

// Prisma accepts the recorded checksum of the file as it is, with CRLF turned to LF, or LF to CRLF.
function checksumMatches(script: string, recorded: string): boolean {
  return [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")].some(
    (variant) => migrationChecksum(variant) === recorded,
  );
}

export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new MigrationError(`No migrations folder at ${migrationsDir}.`);
      throw error;
    },
  );
  // Code-point order: deterministic on every machine, and the same as Prisma's order for its
  // timestamp-prefixed folder names.
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const bytes = await readFile(file).catch(() => {
        throw new MigrationError(`Migration folder ${name} has no readable migration.sql (${file}).`);
      });
      const script = bytes.toString("utf8");
      return {
        name,
        script,
        checksum: migrationChecksum(bytes),
        transactionControl: transactionControlStatements(script),
      };
    }),
  );
}

export async function applyMigrations(
  databaseUrl: string,
  options: ApplyMigrationsOptions = {},
): Promise<ApplyMigrationsResult> {
  const log = options.log ?? (() => {});
  const migrationsDir = options.migrationsDir ?? path.join(process.cwd(), "prisma", "migrations");
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  const local = await readMigrations(migrationsDir);

  const client = new pg.Client({ connectionString: databaseUrl });
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  // The query in flight rejects on its own, which is what reports the problem.
  client.on("error", () => {});
  await client.connect();
  try {
    const applied: string[] = [];
    // One transaction per migration, each under the lock and each re-reading the history: whatever another
    // process applied meanwhile is seen, and every step holds its lock only until its own COMMIT (or, for a
    // file with its own COMMIT, at session level until applyAsScript is done with it).
    for (;;) {
      const step = await lockedTransaction(client, lockTimeoutMs, async () => {
        const [migration] = await pendingMigrations(client, local, applied.length === 0 ? log : () => {});
        if (!migration) return undefined;
        if (migration.transactionControl.length === 0) return applyInTransaction(client, migration, log);
        if (!options.unpooled) throw ownTransactionRefusal(migration);
        // Granted at once (this session holds the lock already) and kept past this transaction's COMMIT,
        // so there is no moment without the lock between reading the history and running the file.
        await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
        return migration;
      });
      if (!step) return { applied };
      applied.push(typeof step === "string" ? step : await applyAsScript(client, step, log));
    }
  } finally {
    await client.end();
  }
}

/**
 * Runs `work` in a transaction that holds Prisma Migrate's advisory lock. A transaction-scoped lock
 * (pg_advisory_xact_lock) ends with its transaction, whatever happens to the process; and a transaction is
 * the one unit a transaction-mode pooler (PgBouncer, Neon's and Supabase's pooled URLs) keeps on one server
 * connection. A session-level lock through such a pooler can be taken on one server connection and
 * "released" on another, staying held for as long as the pooler keeps the first one open. (On the embedded
 * database, one shared session, the lock excludes nothing; but its transactions run one at a time.)
 */
async function lockedTransaction<T>(
  client: pg.Client,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  await client.query("BEGIN");
  try {
    await acquireLock(client, timeoutMs);
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds the wait for advisory locks too; a plain pg_advisory_xact_lock would wait forever
  // behind a stuck process. SET LOCAL, so nothing leaks to the next user of a pooled connection; the
  // previous value is restored for the migration itself.
  const { rows } = await client.query<{ lock_timeout: string }>("SHOW lock_timeout");
  await client.query("SELECT set_config('lock_timeout', $1, true)", [
    `${Math.max(1, Math.round(timeoutMs))}ms`,
  ]);
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (error) {
    if (isPgError(error) && error.code === "55P03") {
      throw new MigrationError(
        `Another process has held the migration lock (advisory lock ${PRISMA_MIGRATE_LOCK_KEY}) for ` +
          `${timeoutMs} ms; is a migration still running?`,
      );
    }
    throw error;
  }
  await client.query("SELECT set_config('lock_timeout', $1, true)", [rows[0]?.lock_timeout ?? "0"]);
}

/** Checks the recorded history against the checkout and returns what is still to apply, in order. */
async function pendingMigrations(
  client: pg.Client,
  local: LocalMigration[],
  log: (line: string) => void,
): Promise<LocalMigration[]> {
  await client.query(CREATE_MIGRATIONS_TABLE);
  const rows = await readHistory(client);

  // Every check happens before anything is applied, so a refusal changes nothing.
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} is recorded as failed in _prisma_migrations (started ` +
        `${failed.started_at.toISOString()}, never finished)${failed.logs ? `:\n${failed.logs}\n` : ". "}` +
        `Nothing was applied. Repair the database by hand, then mark the attempt rolled back: ` +
        `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '${failed.id}';`,
    );
  }

  const byName = new Map(local.map((migration) => [migration.name, migration]));
  const applied = new Set<string>();
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue; // Prisma treats rolled-back attempts as not applied.
    applied.add(row.migration_name);
    const migration = byName.get(row.migration_name);
    if (!migration) {
      // A newer release may have applied it; an older server starting during a rolling deploy must not fail.
      log(
        `warning: migration ${row.migration_name} is applied in the database but missing from this checkout`,
      );
    } else if (!checksumMatches(migration.script, row.checksum)) {
      throw new MigrationError(
        `Migration ${row.migration_name} was modified after it was applied: the checksum recorded in ` +
          `_prisma_migrations (${row.checksum}) differs from migration.sql (${migration.checksum}). ` +
          `Nothing was applied. Restore the original file and put the change in a new migration.`,
      );
    }
  }
  return local.filter((migration) => !applied.has(migration.name));
}

async function readHistory(client: pg.Client): Promise<MigrationRow[]> {
  const result = await client.query<MigrationRow>(
    `SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, logs
       FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );
  return result.rows;
}

/** Applies one migration and its history row inside the caller's transaction; returns its name. */
async function applyInTransaction(client: pg.Client, migration: LocalMigration, log: (line: string) => void) {
  log(`Applying migration ${migration.name}`);
  const began = Date.now();
  try {
    const { rows } = await client.query<{ now: Date }>("SELECT clock_timestamp() AS now");
    // Simple-query protocol (no parameters): the whole file runs as-is, many statements at once.
    await client.query(migration.script);
    await client.query(
      `INSERT INTO _prisma_migrations
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
      [randomUUID(), migration.checksum, migration.name, rows[0]?.now],
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back; nothing of it was applied: ${reason}`,
      { cause: error },
    );
  }
  log(`Applied migration ${migration.name} in ${Date.now() - began} ms`);
  return migration.name;
}

/**
 * Runs a file that has its own BEGIN … COMMIT the way `prisma migrate deploy` runs every file
 * (schema-engine/core/src/commands/apply_migrations.rs): the history row first, unfinished; then the file as
 * one script outside any transaction of the runner's; then the row finished, or on failure given the error
 * as its logs, which leaves it "failed" for this runner and for Prisma until someone resolves it. The caller
 * holds the session-level lock; this releases it.
 */
async function applyAsScript(client: pg.Client, migration: LocalMigration, log: (line: string) => void) {
  log(
    `Applying migration ${migration.name} as a script: it has its own ${migration.transactionControl.join(", ")}`,
  );
  const began = Date.now();
  const id = randomUUID();
  try {
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at)
       VALUES ($1, $2, $3, clock_timestamp())`,
      [id, migration.checksum, migration.name],
    );
    try {
      await client.query(migration.script);
    } catch (error) {
      // A failure inside the file's own block leaves the session in that (aborted) transaction. Should the
      // connection be gone, the row stays failed, only without logs.
      await client.query("ROLLBACK").catch(() => {});
      await client
        .query("UPDATE _prisma_migrations SET logs = $1 WHERE id = $2", [prismaLogs(migration, error), id])
        .catch(() => {});
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(
        `Migration ${migration.name} failed part-way: ${reason}. It ran outside a transaction, as it has its ` +
          `own ${migration.transactionControl.join(", ")}: what its own COMMIT committed before the failure ` +
          `stays applied, the rest was rolled back. It is recorded as failed in _prisma_migrations, so ` +
          `db:migrate and prisma migrate deploy apply nothing more until it is resolved: undo what it applied, ` +
          `then UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '${id}'; and run again.`,
        { cause: error },
      );
    }
    await client.query(
      `UPDATE _prisma_migrations
          SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
        WHERE id = $1`,
      [id],
    );
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK_KEY]).catch(() => {});
  }
  log(`Applied migration ${migration.name} in ${Date.now() - began} ms`);
  return migration.name;
}

// The layout of Prisma's ApplyMigrationError (P3018), which `prisma migrate deploy` stores as the logs.
function prismaLogs(migration: LocalMigration, error: unknown): string {
  const code = isPgError(error) ? error.code : "none";
  const message = error instanceof Error ? error.message : String(error);
  return (
    `Migration name: ${migration.name}\n\nDatabase error code: ${code}\n\nDatabase error:\n` +
    `ERROR: ${message}\n`
  );
}

function ownTransactionRefusal(migration: LocalMigration): MigrationError {
  return new MigrationError(
    `Migration ${migration.name} has its own ${migration.transactionControl.join(", ")}, so it must run ` +
      `outside the runner's transaction with the migration lock held by the session, as prisma migrate ` +
      `deploy runs it; through a transaction-mode pooler that session is not kept on one server connection. ` +
      `Set DATABASE_URL_UNPOOLED to a direct connection string (without a pooler: the same as DATABASE_URL) ` +
      `and run again. Nothing of it was applied.`,
  );
}

function isPgError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string";
}
