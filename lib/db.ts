/**
 * The one Prisma client. It speaks to PostgreSQL through the `pg` driver adapter (Prisma 7 has no
 * built-in engine connection) and carries the token-encryption extension, so every read and write of a
 * token column goes through lib/tokens/encrypted-prisma.ts.
 * @see https://www.prisma.io/docs/orm/overview/databases/postgresql#using-the-node-postgres-driver
 */
import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";
import { encryptedTokens } from "@/lib/tokens/encrypted-prisma";

const createPrismaClient = () =>
  new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) }).$extends(encryptedTokens);

export type Database = ReturnType<typeof createPrismaClient>;

const globalForPrisma = globalThis as unknown as { prisma?: Database };

export const db = globalForPrisma.prisma ?? createPrismaClient();

if (env.NODE_ENV !== "production") globalForPrisma.prisma = db;
