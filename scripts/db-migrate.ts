// `npm run db:migrate`: applies prisma/migrations/ with scripts/database/migrate.ts, which needs no Prisma schema engine
// (it cannot be downloaded on every machine). It connects to DATABASE_URL_UNPOOLED when set (a direct
// connection, as Neon and Vercel name it), else DATABASE_URL, which may be pooled: then a migration with its own
// BEGIN … COMMIT is refused (see migrate.ts). Exit code 0 = database up to date.
import { applyMigrations } from "./database/migrate";

async function main(): Promise<number> {
  const unpooledUrl = process.env.DATABASE_URL_UNPOOLED?.trim();
  const databaseUrl = unpooledUrl || process.env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    console.error(
      "db:migrate: neither DATABASE_URL_UNPOOLED nor DATABASE_URL is set. Set one to the PostgreSQL\n" +
        "connection string to migrate, e.g.\n" +
        "  DATABASE_URL=postgresql://user:password@localhost:5432/app npm run db:migrate",
    );
    return 1;
  }

  const started = Date.now();
  try {
    const { applied } = await applyMigrations(databaseUrl, {
      log: (line) => console.log(line),
      unpooled: Boolean(unpooledUrl),
    });
    const took = `${Date.now() - started} ms`;
    if (applied.length === 0) console.log(`Database is up to date: no migrations to apply (${took}).`);
    else console.log(`Applied ${applied.length} migration(s) in ${took}: ${applied.join(", ")}`);
    return 0;
  } catch (error) {
    // The message, not a stack: MigrationError messages say what happened and what to do.
    console.error(`db:migrate failed: ${describe(error)}`);
    return 1;
  }
}

// Connecting to "localhost" tries ::1 and 127.0.0.1; when both are refused Node reports an AggregateError
// whose own message is empty, so the reasons are in its `errors`.
function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map(describe).join("; ");
  }
  if (error instanceof Error)
    return error.message || String((error as { code?: unknown }).code ?? error.name);
  return String(error);
}

process.exitCode = await main();
