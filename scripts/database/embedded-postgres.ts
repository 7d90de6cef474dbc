// The development database: PGlite (PostgreSQL in WebAssembly, inside this process) served on a TCP port by
// pglite-socket, so everything connects with the connection string it would use in production. Why PGlite,
// and its limit (one session shared by every connection): scripts/database/README.md.
import { mkdir } from "node:fs/promises";

import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedDatabaseOptions {
  /** Directory holding the database files; created when missing. */
  dataDir: string;
  /** TCP port; 5433 by default (5432 is left to a real PostgreSQL); 0 picks a free one. */
  port?: number;
  /** Interface to listen on; loopback by default, since the server has no authentication at all. */
  host?: string;
  /**
   * Connections accepted at once. Prisma's pg adapter opens a pool of up to 10; the default leaves room for
   * the dev server, a `db:migrate` run and a psql session together. Connections past the limit are closed.
   */
  maxConnections?: number;
}

export interface EmbeddedDatabase {
  /** Connection string for `pg`, `@prisma/adapter-pg` and psql. */
  url: string;
  /** Stops accepting connections, closes the open ones and flushes the database to `dataDir`. */
  close(): Promise<void>;
}

const DEFAULT_PORT = 5433;
const DEFAULT_MAX_CONNECTIONS = 32;

export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const host = options.host ?? "127.0.0.1";
  await mkdir(options.dataDir, { recursive: true });

  const db = await PGlite.create({ dataDir: options.dataDir });
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? DEFAULT_PORT,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }

  // getServerConn() reports the port the OS chose when port 0 was asked for.
  const port = server.getServerConn().split(":").pop();
  // PGlite accepts any user, password and database name and always serves its one database, `postgres`.
  // sslmode=disable because the socket server answers "no" to SSL; saying so skips that round trip.
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `postgresql://postgres:postgres@${urlHost}:${port}/postgres?sslmode=disable`;

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return closing;
    },
  };
}
