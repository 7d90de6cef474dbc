/**
 * The database the benchmark runs against, migrated and empty, in order of preference:
 * 1. BENCH_DATABASE_URL: a fresh database created on that server (the role needs CREATEDB), dropped after;
 * 2. a throwaway local PostgreSQL cluster (the one the tests use, see tests/support/postgres.ts);
 * 3. the embedded PGlite of `npm run dev`, when no PostgreSQL server can be started, or when
 *    BENCH_DATABASE_URL=embedded. PGlite is one in-process session in WebAssembly, so its figures say
 *    little about production; the report says so.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { applyMigrations } from "../scripts/database/migrate";
import { startEmbeddedDatabase } from "../scripts/database/embedded-postgres";
import { freshDatabase, startPostgres } from "../tests/support/postgres";

export interface BenchDatabase {
  url: string;
  kind: string;
  close(): Promise<void>;
}

export async function startBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL?.trim();
  if (external === "embedded") return startEmbedded();
  if (external) {
    const database = await freshDatabase(external);
    return { url: database.url, kind: "PostgreSQL (BENCH_DATABASE_URL)", close: database.drop };
  }

  let cluster;
  try {
    cluster = await startPostgres();
  } catch (error) {
    log(
      `no PostgreSQL server (${error instanceof Error ? error.message.split("\n")[0] : error}); using embedded PGlite`,
    );
    return startEmbedded();
  }
  try {
    const database = await freshDatabase(cluster.url);
    return { url: database.url, kind: "PostgreSQL (temporary local cluster)", close: cluster.close };
  } catch (error) {
    await cluster.close();
    throw error;
  }
}

async function startEmbedded(): Promise<BenchDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "make-oidc-bench-pglite-"));
  const embedded = await startEmbeddedDatabase({ dataDir, port: 0 });
  await applyMigrations(embedded.url, { unpooled: true });
  return {
    url: embedded.url,
    kind: "embedded PGlite (not representative of PostgreSQL)",
    close: async () => {
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
