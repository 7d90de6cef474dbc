/**
 * A complete running system for end-to-end tests: a fresh database in the suite's PostgreSQL, the local
 * Make stand-in, and the production build of the app configured like a real deployment — AUTH_URL on
 * 127.0.0.1, not localhost, so a redirect_uri built from the wrong host would fail the tests.
 */
import { inject } from "vitest";
import pg from "pg";
import {
  startMakeStandIn,
  STAND_IN_CLIENTS,
  type MakeStandIn,
  type MakeStandInOptions,
} from "@/make-stand-in/server";
import { freshDatabase } from "./postgres";
import { startAppServer, type AppServer } from "./app-server";
import { reservePort } from "./ports";

export interface Stack {
  app: AppServer;
  /** Every app server of the stack (the first is `app`); all share the database and the stand-in. */
  apps: AppServer[];
  standIn: MakeStandIn;
  databaseUrl: string;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export const TEST_AUTH_SECRET = "test-secret-".padEnd(48, "x");

export interface StackOptions {
  client?: "confidential" | "public";
  /** Stand-in switches that hold for the whole file (they survive `controls.reset()`). */
  standIn?: MakeStandInOptions["config"];
  env?: Record<string, string>;
  servers?: number;
  /** Servers run as serverless instances: all of them, or those at these indexes. */
  serverless?: boolean | number[];
  /** Scheme of the public URL (AUTH_URL, the registered redirect URI); the servers themselves listen on http. */
  publicScheme?: "http" | "https";
  /** More app environment that depends on the stand-in (its issuer is known only once it listens). */
  envFromStandIn?: (standIn: MakeStandIn) => Record<string, string>;
  /** More app environment that needs the app's URLs, e.g. from another server started for them. */
  envForApps?: (appUrls: string[]) => Promise<Record<string, string>>;
  /** What the apps connect to instead of the database URL, e.g. a proxy the test can cut. */
  appDatabaseUrl?: (databaseUrl: string) => string;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database = await freshDatabase(inject("postgresUrl"));
  // Held until the app servers start: the stand-in listens on ports the system picks, and must not get these.
  const reserved = await Promise.all(Array.from({ length: options.servers ?? 1 }, () => reservePort()));
  const ports = reserved.map(({ port }) => port);
  const appUrls = ports.map((port) => `${options.publicScheme ?? "http"}://127.0.0.1:${port}`);
  const standIn = await startMakeStandIn({
    port: 0,
    redirectUris: appUrls.map((url) => `${url}/api/auth/callback/make`),
    config: options.standIn,
    quiet: true,
  });
  const client: Record<string, string> =
    options.client === "public"
      ? { AUTH_MAKE_ID: STAND_IN_CLIENTS.public.clientId }
      : {
          AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
          AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
        };
  const extraEnv = (await options.envForApps?.(appUrls)) ?? {};
  await Promise.all(reserved.map(({ release }) => release()));
  const apps = await Promise.all(
    ports.map((port, index) =>
      startAppServer({
        port,
        serverless: Array.isArray(options.serverless)
          ? options.serverless.includes(index)
          : options.serverless,
        env: {
          DATABASE_URL: options.appDatabaseUrl?.(database.url) ?? database.url,
          AUTH_SECRET: TEST_AUTH_SECRET,
          AUTH_URL: appUrls[index]!,
          AUTH_MAKE_ISSUER: standIn.issuer,
          MAKE_API_URL: "http://{zone}/api/v2",
          MAKE_DEFAULT_ZONE: standIn.zones[0]!,
          MAKE_ZONE_HOSTS: standIn.zones.join(","),
          ...client,
          ...options.env,
          ...options.envFromStandIn?.(standIn),
          ...extraEnv,
        },
      }),
    ),
  );
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  return {
    app: apps[0]!,
    apps,
    standIn,
    databaseUrl: database.url,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    close: async () => {
      await Promise.all(apps.map((app) => app.close()));
      await standIn.close();
      await pool.end();
      await database.drop();
    },
  };
}
