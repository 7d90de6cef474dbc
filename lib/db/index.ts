/**
 * The one Prisma client (Prisma 7 over the `pg` driver adapter, with the encryption extension) and the `pg`
 * pool under it, shared with the few statements that skip Prisma's client (lib/db/README.md).
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
  // Sized for Fluid compute, where one instance serves many requests at once (docs/deploying.md, "The
  // database pool"): 10 connections per instance, as on a long-running server. The wait for one is bounded
  // (the refresh lease relies on it), idle ones close after 5 s so a suspended instance holds few, and TCP
  // keep-alive finds a connection the pooler dropped while the instance was frozen. attachDatabasePool lets
  // Vercel keep the instance alive until idle connections have closed; elsewhere it does nothing.
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: 10,
    idleTimeoutMillis: 5_000,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
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
