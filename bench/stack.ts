/**
 * Everything the benchmark runs against: the production build of the app (built into its own folder so it
 * never clashes with `npm run dev` or the tests), a real database, and the local Make stand-in in this
 * process, where its requests can be timed. The app is configured like a deployment behind AUTH_URL on
 * 127.0.0.1, with the confidential client.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, rmSync } from "node:fs";
import path from "node:path";

import pg from "pg";

import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "../make-stand-in/server";
import { startAppServer, type AppServer } from "../tests/support/app-server";
import { freePort } from "../tests/support/ports";
import { startBenchDatabase, type BenchDatabase } from "./database";
import { timeStandIn, type StandInTiming } from "./stand-in-timing";
import { testTuning } from "../tests/support/test-tuning";

export const BENCH_DIST_DIR = ".next-bench";
/** The app's default, set explicitly because bench/refresh.ts relies on it to make a token due. */
export const REFRESH_MARGIN_SECONDS = 60;
const root = path.resolve(import.meta.dirname, "..");
/** Where the benchmark's pages sit while it builds (ignored by git). */
const BENCH_PAGES_IN_APP = path.join(root, "app/(bench)");

export interface BenchStack {
  database: BenchDatabase;
  makeStandIn: MakeStandIn;
  standIn: StandInTiming;
  app: AppServer;
  /** The environment every app server of the stack starts with. */
  appEnv: Record<string, string>;
  /** Another server of the same build and stand-in: on another database URL (a proxy) or with more env. */
  startApp(options: {
    databaseUrl?: string;
    env?: Record<string, string>;
    /** Run it as a serverless instance (tests/support/serverless). */
    serverless?: boolean;
  }): Promise<AppServer>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** `next build` in production mode; BENCH_SKIP_BUILD=1 reuses the last one while iterating. */
export async function buildApp(log: (line: string) => void): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD === "1")
    return log(`reusing the build in ${BENCH_DIST_DIR} (BENCH_SKIP_BUILD=1)`);
  log(`building the app into ${BENCH_DIST_DIR} (next build)…`);
  await withBenchPages(() => nextBuild());
}

/**
 * The benchmark's own pages (bench/pages/) become routes of its build only: copied into app/(bench)/, which
 * git ignores, for the length of `next build`, and removed afterwards, when the build fails or is
 * interrupted too. Every other build (`npm run build`, the tests) has no /bare. The route types the build
 * wrote go with them: they import the pages, and tsconfig.json includes them in `npm run typecheck`.
 */
async function withBenchPages<T>(build: () => Promise<T>): Promise<T> {
  const remove = () => {
    rmSync(BENCH_PAGES_IN_APP, { recursive: true, force: true });
    rmSync(path.join(root, BENCH_DIST_DIR, "types"), { recursive: true, force: true });
  };
  const interrupted = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  remove();
  cpSync(path.join(root, "bench/pages"), BENCH_PAGES_IN_APP, { recursive: true });
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    return await build();
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    remove();
  }
}

async function nextBuild(): Promise<void> {
  const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: BENCH_DIST_DIR,
      NEXT_OUTPUT: "standalone",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output}`);
}

export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
  const database = await startBenchDatabase(log);
  const mockPort = await freePort();
  const appUrls = async () => {
    const port = await freePort();
    return { port, url: `http://127.0.0.1:${port}` };
  };
  const first = await appUrls();
  const makeStandIn = await startMakeStandIn({
    port: mockPort,
    issuer: `http://127.0.0.1:${mockPort}`,
    redirectUris: [`${first.url}/api/auth/callback/make`],
    quiet: true,
  });
  const standIn = timeStandIn(mockPort);
  const authSecret = randomBytes(32).toString("base64url");
  const apps: AppServer[] = [];

  const appEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    AUTH_SECRET: authSecret,
    AUTH_URL: first.url,
    AUTH_MAKE_ISSUER: makeStandIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
    MAKE_API_URL: "http://{zone}/api/v2",
    MAKE_DEFAULT_ZONE: makeStandIn.zones[0]!,
    MAKE_ZONE_HOSTS: makeStandIn.zones.join(","),
    ...testTuning({ REFRESH_MARGIN_SECONDS }),
    NODE_OPTIONS: `--require ${JSON.stringify(path.join(root, "bench/heap-probe.cjs"))}`,
    NEXT_TELEMETRY_DISABLED: "1",
  };

  const startOn = async (
    { port, url }: { port: number; url: string },
    databaseUrl: string,
    env: Record<string, string> = {},
    serverless = false,
  ) => {
    const app = await startAppServer({
      port,
      serverless,
      distDir: BENCH_DIST_DIR,
      env: { ...appEnv, DATABASE_URL: databaseUrl, AUTH_URL: url, ...env },
    });
    apps.push(app);
    const probe = await fetch(`${url}/bare`).catch((error: Error) => error);
    if (!(probe instanceof Response) || probe.status !== 200) {
      throw new Error(
        `the app did not start (GET /bare: ${probe instanceof Response ? probe.status : probe.message}):\n${app.output()}`,
      );
    }
    return app;
  };

  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on("error", () => {});
  try {
    const app = await startOn(first, database.url);
    return {
      database,
      makeStandIn,
      standIn,
      app,
      appEnv,
      startApp: async (options) =>
        startOn(await appUrls(), options.databaseUrl ?? database.url, options.env, options.serverless),
      query: async (sql, params) => (await pool.query(sql, params)).rows,
      close: async () => {
        for (const server of apps) await server.close();
        standIn.stop();
        await makeStandIn.close();
        await pool.end();
        await database.close();
      },
    };
  } catch (error) {
    for (const server of apps) await server.close();
    await makeStandIn.close();
    await pool.end();
    await database.close();
    throw error;
  }
}

/**
 * Makes the user's Make access token due for renewal now: inside the refresh margin, 1–2 s before it
 * expires. (Under steady traffic a token is renewed as soon as it enters the margin; this is the tighter
 * case. The stand-in itself keeps accepting the token for its full lifetime.)
 */
export async function makeTokenDue(stack: BenchStack, userId: string): Promise<void> {
  await stack.query(`UPDATE "Account" SET expires_at = $1 WHERE "userId" = $2 AND provider = 'make'`, [
    Math.floor(Date.now() / 1000) + 2,
    userId,
  ]);
}

/**
 * Every organization's Make API budget back to untouched, at Make (the stand-in) and in the app's own
 * pacing (`MakeApiBudget`), so a row that measures the scenarios page does not inherit the minute earlier
 * rows spent: the dashboard's reach checks spend the same budget.
 */
export async function resetMakeBudgets(stack: BenchStack): Promise<void> {
  stack.makeStandIn.controls.reset();
  await stack.query(`DELETE FROM "MakeApiBudget"`);
  await stack.query(`DELETE FROM "MakeApiBudgetShare"`);
}
