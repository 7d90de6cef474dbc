/**
 * Several independently loaded copies of the app's token modules over ONE database and ONE Make stand-in,
 * as separate server processes would have them: each copy has its own database pool and its own in-process
 * state (the single-flight map), so only what goes through the database is shared. Optionally a copy talks
 * to the database through a TCP proxy the test can cut.
 */
import { inject, vi } from "vitest";
import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "@/make-stand-in/server";
import { freshDatabase, type FreshDatabase } from "./postgres";
import { TEST_AUTH_SECRET } from "./stack";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

export interface TokenModules {
  db: typeof import("@/lib/db").db;
  tokens: typeof import("@/lib/make/connection/refresh");
  revoke: typeof import("@/lib/make/connection/revoke");
  maintenance: typeof import("@/lib/make/ops/maintenance");
  /** Work this copy registered to outlive a response (settleBackgroundWork waits for it). */
  background: typeof import("@/lib/background-work");
}

export interface SharedBackends {
  standIn: MakeStandIn;
  database: FreshDatabase;
  /** Between the copies loaded with `{ throughProxy: true }` and the database. */
  proxy: TcpProxy;
  /** A fresh copy of the token modules (module registry reset, new database pool); load one at a time. */
  load(options?: { throughProxy?: boolean; env?: Record<string, string> }): Promise<TokenModules>;
  close(): Promise<void>;
}

export async function startSharedBackends(): Promise<SharedBackends> {
  const database = await freshDatabase(inject("postgresUrl"));
  const standIn = await startMakeStandIn({ port: 0, quiet: true });
  const target = new URL(database.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const copies: TokenModules[] = [];
  return {
    standIn,
    database,
    proxy,
    async load(options = {}) {
      vi.resetModules();
      // lib/db keeps its client on globalThis outside production; each copy needs its own.
      delete (globalThis as { prisma?: unknown }).prisma;
      const env: Record<string, string | undefined> = {
        NODE_ENV: "test",
        DATABASE_URL: options.throughProxy ? proxy.through(database.url) : database.url,
        AUTH_SECRET: TEST_AUTH_SECRET,
        AUTH_MAKE_ISSUER: standIn.issuer,
        AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
        AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
        MAKE_API_URL: `${standIn.url}/api/v2`,
        TOKEN_ENCRYPTION_KEY: undefined,
        SKIP_ENV_VALIDATION: undefined,
        ...options.env,
      };
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      const copy = {
        db: (await import("@/lib/db")).db,
        tokens: await import("@/lib/make/connection/refresh"),
        revoke: await import("@/lib/make/connection/revoke"),
        maintenance: await import("@/lib/make/ops/maintenance"),
        background: await import("@/lib/background-work"),
      };
      delete (globalThis as { prisma?: unknown }).prisma;
      copies.push(copy);
      return copy;
    },
    async close() {
      await Promise.all(copies.map((copy) => copy.db.$disconnect().catch(() => {})));
      await proxy.close();
      await standIn.close();
      await database.drop();
      vi.unstubAllEnvs();
    },
  };
}
