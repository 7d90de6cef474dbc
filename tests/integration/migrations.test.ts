// The committed migrations against real PostgreSQL (tests/support/postgres.ts) and against the embedded
// development database. The drift check compares the migrated database with the data model Prisma itself
// parses from schema.prisma (its DMMF), so a schema change without a migration fails here, not in production.
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startEmbeddedDatabase } from "../../scripts/database/embedded-postgres";
import { applyMigrations, migrationChecksum } from "../../scripts/database/migrate";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { freshDatabase, startPostgres, type FreshDatabase, type TestPostgres } from "../support/postgres";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const migrationsDir = path.join(root, "prisma", "migrations");
const schemaPath = path.join(root, "prisma", "schema.prisma");

let server: TestPostgres;
let scratch: string;

beforeAll(async () => {
  // The suite's global setup provides one server for all test files; run alone (no config), start our own.
  const provided = inject("postgresUrl") as string | undefined;
  server = provided ? { url: provided, close: async () => {} } : await startPostgres();
  scratch = await mkdtemp(path.join(tmpdir(), "migrations-test-"));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("schema drift", () => {
  it("the migrated database matches schema.prisma", async () => {
    await withFreshDatabase(async (db) => {
      const expected = expectedShape(await loadDmmf(await readFile(schemaPath, "utf8")));
      expect(await databaseShape(db.url)).toEqual(expected);
    });
  }, 60_000);

  it("notices a schema change that has no migration", async () => {
    // Proves the check above can fail: a column and an index added to the schema but to no migration.
    const changed = (await readFile(schemaPath, "utf8")).replace(
      /model Session \{/,
      "model Session {\n  driftProbe String?\n  @@index([driftProbe])",
    );
    await withFreshDatabase(async (db) => {
      const expected = expectedShape(await loadDmmf(changed));
      const actual = await databaseShape(db.url);
      expect(actual).not.toEqual(expected);
      expect(actual.tables.Session?.columns).not.toHaveProperty("driftProbe");
      expect(expected.tables.Session?.indexes).toHaveProperty("Session_driftProbe_idx");
    });
  }, 60_000);
});

describe("applyMigrations on PostgreSQL", () => {
  it("records one finished row per migration folder, in Prisma's table layout", async () => {
    await withFreshDatabase(
      async (db) => {
        const folders = await migrationFolders(migrationsDir);
        const { applied } = await applyMigrations(db.url, { migrationsDir });
        expect(applied).toEqual(folders);

        const rows = await query(db.url, "SELECT * FROM _prisma_migrations ORDER BY migration_name");
        expect(rows.map((row) => row.migration_name)).toEqual(folders);
        for (const row of rows) {
          const file = await readFile(path.join(migrationsDir, String(row.migration_name), "migration.sql"));
          expect(row.checksum).toBe(migrationChecksum(file));
          expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          expect(row.finished_at).toBeInstanceOf(Date);
          expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual(
            (row.started_at as Date).getTime(),
          );
          expect(row).toMatchObject({ applied_steps_count: 1, logs: null, rolled_back_at: null });
        }

        // The layout of prisma-engines' PostgresFlavour::create_migrations_table.
        const columns = await query(
          db.url,
          `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        );
        expect(columns).toEqual([
          {
            column_name: "id",
            data_type: "character varying",
            character_maximum_length: 36,
            is_nullable: "NO",
            column_default: null,
          },
          {
            column_name: "checksum",
            data_type: "character varying",
            character_maximum_length: 64,
            is_nullable: "NO",
            column_default: null,
          },
          {
            column_name: "finished_at",
            data_type: "timestamp with time zone",
            character_maximum_length: null,
            is_nullable: "YES",
            column_default: null,
          },
          {
            column_name: "migration_name",
            data_type: "character varying",
            character_maximum_length: 255,
            is_nullable: "NO",
            column_default: null,
          },
          {
            column_name: "logs",
            data_type: "text",
            character_maximum_length: null,
            is_nullable: "YES",
            column_default: null,
          },
          {
            column_name: "rolled_back_at",
            data_type: "timestamp with time zone",
            character_maximum_length: null,
            is_nullable: "YES",
            column_default: null,
          },
          {
            column_name: "started_at",
            data_type: "timestamp with time zone",
            character_maximum_length: null,
            is_nullable: "NO",
            column_default: "now()",
          },
          {
            column_name: "applied_steps_count",
            data_type: "integer",
            character_maximum_length: null,
            is_nullable: "NO",
            column_default: "0",
          },
        ]);
        const primaryKey = await query(
          db.url,
          "SELECT conname FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'",
        );
        expect(primaryKey).toEqual([{ conname: "_prisma_migrations_pkey" }]);

        // Idempotent: a second run applies nothing and writes nothing.
        expect(await applyMigrations(db.url, { migrationsDir })).toEqual({ applied: [] });
        expect(await query(db.url, "SELECT * FROM _prisma_migrations ORDER BY migration_name")).toEqual(rows);
      },
      { migrate: false },
    );
  }, 60_000);

  it("refuses, changing nothing, when an applied migration was edited", async () => {
    await withFreshDatabase(async (db) => {
      await query(db.url, "UPDATE _prisma_migrations SET checksum = repeat('0', 64)");
      const before = await query(db.url, "SELECT * FROM _prisma_migrations ORDER BY migration_name");
      const dir = await migrationsWithProbe();

      await expect(applyMigrations(db.url, { migrationsDir: dir })).rejects.toThrow(
        /20261122000000_init was modified after it was applied.*Nothing was applied/s,
      );
      expect(await query(db.url, "SELECT * FROM _prisma_migrations ORDER BY migration_name")).toEqual(before);
      expect(await tableExists(db.url, "DriftProbe")).toBe(false);
    });
  }, 60_000);

  it("refuses, changing nothing, while a migration is recorded as failed", async () => {
    await withFreshDatabase(async (db) => {
      // What Prisma Migrate leaves after a failed `migrate deploy`.
      await query(
        db.url,
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count)
         VALUES ('00000000-0000-4000-8000-000000000000', repeat('a', 64), '20261123000000_broken',
                 'syntax error at or near "CREAT"', now(), 0)`,
      );
      const dir = await migrationsWithProbe();

      await expect(applyMigrations(db.url, { migrationsDir: dir })).rejects.toThrow(
        /20261123000000_broken is recorded as failed.*syntax error.*Nothing was applied/s,
      );
      expect(await tableExists(db.url, "DriftProbe")).toBe(false);
    });
  }, 60_000);

  it("rolls a failing migration back completely and records nothing", async () => {
    await withFreshDatabase(async (db) => {
      const dir = await migrationsWithProbe(
        'CREATE TABLE "DriftProbe" ("id" TEXT NOT NULL);\nCREAT TABLE oops ();\n',
      );
      await expect(applyMigrations(db.url, { migrationsDir: dir })).rejects.toThrow(
        /20991231000000_probe failed and was rolled back.*syntax error/s,
      );
      expect(await tableExists(db.url, "DriftProbe")).toBe(false);
      const names = await query(
        db.url,
        "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name",
      );
      const committed = await migrationFolders(migrationsDir);
      expect(names).toEqual(committed.map((name) => ({ migration_name: name })));
    });
  }, 60_000);

  it("accepts a checkout whose line endings were converted (CRLF), as Prisma does", async () => {
    await withFreshDatabase(async (db) => {
      const dir = path.join(scratch, "crlf");
      await cp(migrationsDir, dir, { recursive: true });
      const file = path.join(dir, "20261122000000_init", "migration.sql");
      await writeFile(file, (await readFile(file, "utf8")).replaceAll("\n", "\r\n"));
      expect(await applyMigrations(db.url, { migrationsDir: dir })).toEqual({ applied: [] });
    });
  }, 60_000);

  it("applies each migration once when several processes start at the same time", async () => {
    await withFreshDatabase(
      async (db) => {
        const folders = await migrationFolders(migrationsDir);
        const results = await Promise.all(
          Array.from({ length: 4 }, () => applyMigrations(db.url, { migrationsDir })),
        );
        expect(results.flatMap((result) => result.applied).sort()).toEqual(folders);
        const rows = await query(db.url, "SELECT migration_name FROM _prisma_migrations");
        expect(rows).toHaveLength(folders.length);
      },
      { migrate: false },
    );
  }, 60_000);
});

describe("embedded database (PGlite)", () => {
  it("takes the migrations, serves a pool of 5 and Prisma with transactions, and keeps data on restart", async () => {
    const dataDir = path.join(scratch, "pglite");
    let embedded = await startEmbeddedDatabase({ dataDir, port: 0 });
    try {
      expect(await applyMigrations(embedded.url, { migrationsDir })).toEqual({
        applied: await migrationFolders(migrationsDir),
      });

      // Five connections, each in its own transaction, interleaved.
      const pool = new pg.Pool({ connectionString: embedded.url, max: 5 });
      try {
        await Promise.all(
          Array.from({ length: 5 }, async (_, i) => {
            const client = await pool.connect();
            try {
              await client.query("BEGIN");
              await client.query(`INSERT INTO "User" (id, email, "updatedAt") VALUES ($1, $2, now())`, [
                `pool-${i}`,
                `pool-${i}@example.test`,
              ]);
              const { rows } = await client.query(`SELECT email FROM "User" WHERE id = $1`, [`pool-${i}`]);
              expect(rows).toEqual([{ email: `pool-${i}@example.test` }]);
              await client.query("COMMIT");
            } finally {
              client.release();
            }
          }),
        );
        expect(await pool.query(`SELECT count(*)::int AS n FROM "User"`)).toMatchObject({ rows: [{ n: 5 }] });
      } finally {
        await pool.end();
      }

      // The app's own path: Prisma Client through @prisma/adapter-pg, with an interactive transaction.
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: embedded.url, max: 5 }) });
      try {
        await prisma.$transaction(async (tx) => {
          const user = await tx.user.create({ data: { id: "prisma-user", email: "prisma@example.test" } });
          await tx.account.create({
            data: { userId: user.id, type: "oidc", provider: "make", providerAccountId: "make-sub-1" },
          });
        });
        const account = await prisma.account.findFirstOrThrow({ where: { providerAccountId: "make-sub-1" } });
        expect(account).toMatchObject({ state: "active", refreshFailures: 0, tokenVersion: 0 });
      } finally {
        await prisma.$disconnect();
      }

      // Same structure as on the real server.
      const expected = expectedShape(await loadDmmf(await readFile(schemaPath, "utf8")));
      expect(await databaseShape(embedded.url)).toEqual(expected);

      await embedded.close();
      embedded = await startEmbeddedDatabase({ dataDir, port: 0 });
      expect(await applyMigrations(embedded.url, { migrationsDir })).toEqual({ applied: [] });
      const users = await query(embedded.url, `SELECT id FROM "User" ORDER BY id`);
      expect(users.map((row) => row.id)).toEqual([
        "pool-0",
        "pool-1",
        "pool-2",
        "pool-3",
        "pool-4",
        "prisma-user",
      ]);
    } finally {
      await embedded.close();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Runs `use` against a database of its own on the suite's server, dropped afterwards whatever happens. */
async function withFreshDatabase(use: (db: FreshDatabase) => Promise<void>, options?: { migrate?: boolean }) {
  const db = await freshDatabase(server.url, options);
  try {
    await use(db);
  } finally {
    await db.drop();
  }
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

async function tableExists(url: string, table: string): Promise<boolean> {
  const rows = await query(url, `SELECT to_regclass('public."${table}"') IS NOT NULL AS present`);
  return rows[0]?.present === true;
}

async function migrationFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

let probeCount = 0;
/** A copy of the real migrations plus one more, later migration (by default, one creating "DriftProbe"). */
async function migrationsWithProbe(
  sql = 'CREATE TABLE "DriftProbe" ("id" TEXT NOT NULL);\n',
): Promise<string> {
  const dir = path.join(scratch, `probe-${++probeCount}`);
  await cp(migrationsDir, dir, { recursive: true });
  await mkdir(path.join(dir, "20991231000000_probe"));
  await writeFile(path.join(dir, "20991231000000_probe", "migration.sql"), sql);
  return dir;
}

// ---------------------------------------------------------------------------------------------------------
// Prisma's DMMF. The generated client keeps only a stripped runtime model (no nullability, defaults or
// indexes) and @prisma/internals is not a dependency, so the DMMF is obtained the way every Prisma generator
// gets it: `prisma generate` with a tiny generator that writes the DMMF it is handed (generator protocol:
// JSON-RPC requests on the generator's stdin, responses on its stderr).

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUpdatedAt?: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    indexes: DmmfIndex[];
  };
}

const DMMF_GENERATOR = `
import { createInterface } from "node:readline";
import { writeFileSync } from "node:fs";
const reply = (id, result) => process.stderr.write(JSON.stringify({ jsonrpc: "2.0", id, result }) + "\\n");
createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line);
  if (message.method === "getManifest") {
    reply(message.id, { manifest: { prettyName: "DMMF for tests", requiresEngines: [] } });
  } else if (message.method === "generate") {
    writeFileSync(message.params.generator.output.value, JSON.stringify(message.params.dmmf));
    reply(message.id, null);
  }
});
`;

async function loadDmmf(schema: string): Promise<Dmmf> {
  const dir = await mkdtemp(path.join(scratch, "dmmf-"));
  const generator = path.join(dir, "dmmf-generator.mjs");
  await writeFile(generator, DMMF_GENERATOR);
  const provider = JSON.stringify(`"${process.execPath}" "${generator}"`);
  const withOurGenerator = schema
    .replace(/^generator\s+\w+\s*\{[\s\S]*?^\}/gm, "")
    .concat(`\ngenerator dmmf {\n  provider = ${provider}\n  output   = "./dmmf.json"\n}\n`);
  await writeFile(path.join(dir, "schema.prisma"), withOurGenerator);

  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  await new Promise<void>((resolve, reject) => {
    // cwd = the temp dir, so the project's prisma.config.ts is not picked up; no update checks or telemetry.
    const child = spawn(process.execPath, [cli, "generate", "--schema", "schema.prisma"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`prisma generate failed:\n${output}`)),
    );
  });
  return JSON.parse(await readFile(path.join(dir, "dmmf.json"), "utf8")) as Dmmf;
}

// ---------------------------------------------------------------------------------------------------------
// One shape for both sides: what the DMMF says PostgreSQL should contain, and what it does contain.

interface ColumnShape {
  type: string;
  nullable: boolean;
  default: string | null;
}
interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: { name: string; columns: string[] } | null;
  indexes: Record<string, { unique: boolean; columns: string[] }>;
  foreignKeys: Record<
    string,
    {
      columns: string[];
      referencedTable: string;
      referencedColumns: string[];
      onDelete: string;
      onUpdate: string;
    }
  >;
}
interface DatabaseShape {
  tables: Record<string, TableShape>;
  enums: Record<string, string[]>;
}

// Prisma's scalar types on PostgreSQL without a native-type attribute, as information_schema's udt_name.
const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "int4",
  BigInt: "int8",
  Float: "float8",
  Decimal: "numeric",
  Boolean: "bool",
  DateTime: "timestamp(3)",
  Json: "jsonb",
  Bytes: "bytea",
};

// Prisma's default constraint names: {table}_{columns}_{suffix}, cut to PostgreSQL's 63 bytes keeping the suffix.
function constraintName(table: string, columns: string[], suffix: string): string {
  const base = [table, ...columns].join("_");
  return `${base.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

function expectedShape(dmmf: Dmmf): DatabaseShape {
  const { models, enums, indexes } = dmmf.datamodel;
  const tableName = (model: string) => {
    const found = models.find((m) => m.name === model);
    if (!found) throw new Error(`DMMF has no model ${model}`);
    return found.dbName ?? found.name;
  };
  const enumName = (name: string) => enums.find((e) => e.name === name)?.dbName ?? name;
  const columnName = (model: string, field: string) => {
    const found = models.find((m) => m.name === model)?.fields.find((f) => f.name === field);
    return found?.dbName ?? field;
  };

  const shape: DatabaseShape = {
    tables: {},
    enums: Object.fromEntries(
      enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
    ),
  };

  for (const model of models) {
    const table = tableName(model.name);
    const columns: Record<string, ColumnShape> = {};
    const foreignKeys: TableShape["foreignKeys"] = {};
    for (const field of model.fields) {
      if (field.kind === "object") {
        if (!field.relationFromFields?.length) continue; // the side without the foreign key
        const from = field.relationFromFields.map((name) => columnName(model.name, name));
        foreignKeys[constraintName(table, from, "fkey")] = {
          columns: from,
          referencedTable: tableName(field.type),
          referencedColumns: (field.relationToFields ?? []).map((name) => columnName(field.type, name)),
          onDelete: field.relationOnDelete ?? (field.isRequired ? "Restrict" : "SetNull"),
          onUpdate: field.relationOnUpdate ?? "Cascade",
        };
        continue;
      }
      if (field.nativeType) {
        throw new Error(
          `${model.name}.${field.name} has a native type; teach this drift check its column type.`,
        );
      }
      const base = field.kind === "enum" ? enumName(field.type) : SCALAR_TYPES[field.type];
      if (!base) throw new Error(`${model.name}.${field.name}: no PostgreSQL type known for ${field.type}`);
      columns[field.dbName ?? field.name] = {
        type: field.isList ? `${base}[]` : base,
        nullable: !field.isRequired,
        default: expectedDefault(field, enumName),
      };
    }

    const modelIndexes = indexes.filter((index) => index.model === model.name);
    const id = modelIndexes.find((index) => index.type === "id");
    const idColumns = id?.fields.map((f) => columnName(model.name, f.name)) ?? [];
    shape.tables[table] = {
      columns,
      primaryKey: id ? { name: id.dbName ?? `${table}_pkey`, columns: idColumns } : null,
      indexes: Object.fromEntries(
        modelIndexes
          .filter((index) => index.type === "unique" || index.type === "normal")
          .map((index) => {
            const cols = index.fields.map((f) => columnName(model.name, f.name));
            const name = index.dbName ?? constraintName(table, cols, index.type === "unique" ? "key" : "idx");
            return [name, { unique: index.type === "unique", columns: cols }];
          }),
      ),
      foreignKeys,
    };
  }
  return shape;
}

// column_default as PostgreSQL prints it back; null where Prisma fills the value in (cuid(), @updatedAt).
function expectedDefault(field: DmmfField, enumName: (name: string) => string): string | null {
  if (!field.hasDefaultValue) return null;
  const value = field.default;
  if (value !== null && typeof value === "object" && "name" in value) {
    const fn = value as { name: string; args: unknown[] };
    if (fn.name === "now") return "CURRENT_TIMESTAMP";
    if (["cuid", "uuid", "nanoid", "ulid"].includes(fn.name)) return null;
    if (fn.name === "dbgenerated") return String(fn.args[0] ?? "");
    // A serial column: PostgreSQL prints its sequence's nextval(), read back as the same word below.
    if (fn.name === "autoincrement") return "autoincrement()";
    throw new Error(`${field.name}: default ${fn.name}() is not known to this drift check`);
  }
  if (field.kind === "enum") return `'${String(value)}'::"${enumName(field.type)}"`;
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'::text`;
  return String(value);
}

const FK_ACTIONS: Record<string, string> = {
  a: "NoAction",
  r: "Restrict",
  c: "Cascade",
  n: "SetNull",
  d: "SetDefault",
};

async function databaseShape(url: string): Promise<DatabaseShape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    const shape: DatabaseShape = { tables: {}, enums: {} };
    for (const { table_name } of tables.rows) {
      shape.tables[table_name] = { columns: {}, primaryKey: null, indexes: {}, foreignKeys: {} };
    }
    const tableOf = (name: string) => {
      const table = shape.tables[name];
      if (!table) throw new Error(`unexpected table ${name}`);
      return table;
    };

    const columns = await client.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      udt_name: string;
      is_nullable: string;
      column_default: string | null;
      datetime_precision: number | null;
    }>(
      `SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default,
              c.datetime_precision
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> '_prisma_migrations'`,
    );
    for (const column of columns.rows) {
      const isArray = column.data_type === "ARRAY";
      const udt = isArray ? column.udt_name.slice(1) : column.udt_name;
      const type =
        udt === "timestamp" || udt === "timestamptz" ? `${udt}(${column.datetime_precision})` : udt;
      tableOf(column.table_name).columns[column.column_name] = {
        type: isArray ? `${type}[]` : type,
        nullable: column.is_nullable === "YES",
        default: column.column_default?.startsWith("nextval(") ? "autoincrement()" : column.column_default,
      };
    }

    const enums = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t
         JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public'
        GROUP BY t.typname`,
    );
    for (const { name, labels } of enums.rows) shape.enums[name] = labels;

    const indexes = await client.query<{
      table_name: string;
      index_name: string;
      is_unique: boolean;
      is_primary: boolean;
      columns: string[];
    }>(
      `SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS is_unique,
              x.indisprimary AS is_primary,
              array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
         FROM pg_index x
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    );
    for (const index of indexes.rows) {
      const table = tableOf(index.table_name);
      if (index.is_primary) table.primaryKey = { name: index.index_name, columns: index.columns };
      else table.indexes[index.index_name] = { unique: index.is_unique, columns: index.columns };
    }

    const foreignKeys = await client.query<{
      table_name: string;
      name: string;
      columns: string[];
      referenced_table: string;
      referenced_columns: string[];
      on_delete: string;
      on_update: string;
    }>(
      `SELECT t.relname AS table_name, c.conname AS name, r.relname AS referenced_table,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
              array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n)
                AS referenced_columns,
              c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_class r ON r.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND n.nspname = 'public'`,
    );
    for (const fk of foreignKeys.rows) {
      tableOf(fk.table_name).foreignKeys[fk.name] = {
        columns: fk.columns,
        referencedTable: fk.referenced_table,
        referencedColumns: fk.referenced_columns,
        onDelete: FK_ACTIONS[fk.on_delete] ?? fk.on_delete,
        onUpdate: FK_ACTIONS[fk.on_update] ?? fk.on_update,
      };
    }
    return shape;
  } finally {
    await client.end();
  }
}
