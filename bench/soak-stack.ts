/**
 * What the soak runs against: two app servers (`next start` of one production build) on one PostgreSQL,
 * reached through a TCP proxy the soak can cut, and the local Make stand-in in this process with short
 * access tokens. A server can be killed with SIGKILL and started again on its port; `npm run soak`
 * (bench/soak.ts) and tests/e2e/soak.test.ts differ only in the build and the database they hand in.
 */
import { randomBytes } from "node:crypto";

import pg from "pg";

import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "../make-stand-in/server";
import { startAppServer, type AppServer } from "../tests/support/app-server";
import { reservePort } from "../tests/support/ports";
import { startTcpProxy, type TcpProxy } from "../tests/support/tcp-proxy";

export interface SoakServer {
  name: string;
  url: string;
  /** False from a refused connection until the server was started again: the load balancer's view. */
  up: boolean;
  /** Views the load balancer has sent here and not yet seen answered. */
  inFlight: number;
  /** SIGKILL: no shutdown, no cleanup; requests in flight are cut. */
  kill(): void;
  /** `next start` again on the same port, with the same environment. */
  restart(): Promise<void>;
  output(): string;
}

export interface SoakStack {
  servers: SoakServer[];
  standIn: MakeStandIn;
  /** The database as the app servers reach it. */
  database: TcpProxy;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface SoakStackOptions {
  /** The production build to serve (NEXT_DIST_DIR). */
  distDir: string;
  /** A migrated, empty database. */
  databaseUrl: string;
  accessTokenTtlSeconds: number;
  /** Environment of both app servers on top of the stack's own. */
  env: Record<string, string>;
  /** Servers (by index) run as serverless instances, suspended whenever nothing is in flight. */
  serverless?: number[];
}

export async function startSoakStack(options: SoakStackOptions): Promise<SoakStack> {
  const target = new URL(options.databaseUrl);
  const database = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  // Held until the app servers start, so the stand-in's system-picked ports cannot take them.
  const reserved = await Promise.all([reservePort(), reservePort()]);
  const urls = reserved.map(({ port }) => `http://127.0.0.1:${port}`);
  const standIn = await startMakeStandIn({
    port: 0,
    redirectUris: urls.map((url) => `${url}/api/auth/callback/make`),
    accessTokenTtl: options.accessTokenTtlSeconds,
    quiet: true,
  });
  const env: Record<string, string> = {
    DATABASE_URL: database.through(options.databaseUrl),
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    AUTH_MAKE_ISSUER: standIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
    MAKE_API_URL: "http://{zone}/api/v2",
    MAKE_DEFAULT_ZONE: standIn.zones[0]!,
    NEXT_TELEMETRY_DISABLED: "1",
    ...options.env,
  };
  await Promise.all(reserved.map(({ release }) => release()));

  const servers: SoakServer[] = [];
  const running = new Set<AppServer>();
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on("error", () => {});
  const close = async () => {
    await Promise.all([...running].map((app) => app.close()));
    await standIn.close();
    await database.close();
    await pool.end();
  };

  try {
    for (const [index, url] of urls.entries()) {
      const port = reserved[index]!.port;
      // A serverless instance's front holds the port until it is closed.
      let closing: Promise<void> | undefined;
      const start = async () => {
        await closing;
        const app = await startAppServer({
          port,
          serverless: options.serverless?.includes(index),
          distDir: options.distDir,
          env: { ...env, AUTH_URL: url },
        });
        running.add(app);
        return app;
      };
      let app = await start();
      const server: SoakServer = {
        name: String.fromCharCode(65 + index),
        url,
        up: true,
        inFlight: 0,
        kill: () => {
          process.kill(app.pid, "SIGKILL");
          closing = app.instance?.close();
          running.delete(app);
        },
        restart: async () => {
          app = await start();
          server.up = true;
        },
        output: () => app.output(),
      };
      servers.push(server);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    servers,
    standIn,
    database,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    close,
  };
}
