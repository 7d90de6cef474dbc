/**
 * Loads the app's server modules inside a test process, configured against a fresh database and a local
 * Make stand-in. The env module reads process.env once at import, so modules are re-imported per call.
 */
import { inject, vi } from "vitest";
import {
  STAND_IN_CLIENTS,
  startMakeStandIn,
  type MakeStandIn,
  type MakeStandInOptions,
} from "@/make-stand-in/server";
import { freshDatabase } from "./postgres";
import { TEST_AUTH_SECRET } from "./stack";

export interface AppModules {
  standIn: MakeStandIn;
  databaseUrl: string;
  db: typeof import("@/lib/db").db;
  tokens: typeof import("@/lib/make/connection/refresh");
  revoke: typeof import("@/lib/make/connection/revoke");
  status: typeof import("@/lib/make/connection/status");
  close(): Promise<void>;
}

export async function loadAppModules(
  options: {
    client?: "confidential" | "public";
    env?: Record<string, string>;
    standIn?: MakeStandInOptions;
  } = {},
): Promise<AppModules> {
  const database = await freshDatabase(inject("postgresUrl"));
  const standIn = await startMakeStandIn({ port: 0, quiet: true, ...options.standIn });
  vi.resetModules();
  // lib/db keeps its client on globalThis outside production; a new configuration needs a new client.
  delete (globalThis as { prisma?: unknown }).prisma;
  const confidential = options.client !== "public";
  const env: Record<string, string | undefined> = {
    NODE_ENV: "test",
    DATABASE_URL: database.url,
    AUTH_SECRET: TEST_AUTH_SECRET,
    AUTH_MAKE_ISSUER: standIn.issuer,
    AUTH_MAKE_ID: confidential ? STAND_IN_CLIENTS.confidential.clientId : STAND_IN_CLIENTS.public.clientId,
    AUTH_MAKE_SECRET: confidential ? STAND_IN_CLIENTS.confidential.clientSecret : undefined,
    MAKE_API_URL: "http://{zone}/api/v2",
    MAKE_DEFAULT_ZONE: standIn.zones[0],
    MAKE_ZONE_HOSTS: standIn.zones.join(","),
    TOKEN_ENCRYPTION_KEY: undefined,
    SKIP_ENV_VALIDATION: undefined,
    ...options.env,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { db } = await import("@/lib/db");
  return {
    standIn,
    databaseUrl: database.url,
    db,
    tokens: await import("@/lib/make/connection/refresh"),
    revoke: await import("@/lib/make/connection/revoke"),
    status: await import("@/lib/make/connection/status"),
    close: async () => {
      await db.$disconnect();
      await standIn.close();
      await database.drop();
      vi.unstubAllEnvs();
    },
  };
}
