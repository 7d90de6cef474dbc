/**
 * The one Prisma client, and the `pg` pool under it. Prisma 7 speaks to PostgreSQL through the `pg`
 * driver adapter; the client carries the encryption extension, so every read and write of an encrypted
 * column goes through ./encrypted-columns.ts. The pool is exported for the few page-view statements that
 * skip Prisma's client (the session read in lib/auth/session-read.ts, the API budget in
 * lib/make/budget.ts, Make observations); sharing it keeps one set of connections per process.
 * @see https://www.prisma.io/docs/orm/overview/databases/postgresql#using-the-node-postgres-driver
 */
import "server-only";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { attachDatabasePool } from "@vercel/functions/db-connections";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { encryptedColumns } from "./encrypted-columns";

function connect() {
  // On Vercel, many short-lived instances each hold a pool in front of a database or pooler with a fixed
  // connection limit: a few connections per instance. A long-lived `next start` server serves all traffic
  // from one pool and keeps pg's default size (a smaller one queues the burst of reads after a refresh).
  // Idle connections close after a few seconds so a suspended or retired instance does not hold them, and
  // the wait for a connection is bounded, so a saturated database fails a request instead of hanging it
  // (the refresh lease relies on that bound). attachDatabasePool lets Vercel's Fluid compute keep an
  // instance alive until idle connections have closed; elsewhere it does nothing.
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: process.env.VERCEL === "1" ? 5 : 10,
    idleTimeoutMillis: 5_000,
    connectionTimeoutMillis: 5_000,
  });
  attachDatabasePool(pool);
  // An idle connection the server dropped must not crash the process; the pool replaces it.
  pool.on("error", (error) => log.warn("idle database connection lost", { error: error.message }));
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }).$extends(
    encryptedColumns,
  );
  return { pool, db };
}

export type Database = ReturnType<typeof connect>["db"];

const globalForPrisma = globalThis as unknown as { prisma?: ReturnType<typeof connect> };

const connection = globalForPrisma.prisma ?? connect();

export const { db, pool } = connection;

if (env.NODE_ENV !== "production") globalForPrisma.prisma = connection;

/** The client inside `db.$transaction(async (tx) => …)`, for functions that take part in a transaction. */
export type Transaction = Omit<Database, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
