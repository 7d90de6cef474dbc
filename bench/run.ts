/**
 * `npm run bench`: what one request of this starter costs, measured against a baseline page of the same
 * build in the same run, so a slow or noisy machine changes the numbers but not the verdict.
 *
 * It builds the app in production mode (.next-bench/), starts it on a real PostgreSQL (BENCH_DATABASE_URL,
 * else a temporary local cluster, else the embedded PGlite; BENCH_DATABASE_URL=embedded forces PGlite) with
 * the local Make stand-in, signs a test user in, measures, and prints one table. BENCH_SKIP_BUILD=1 reuses
 * the last build. Missed targets are reported, not fatal: the exit code is non-zero only when the benchmark
 * could not run. Progress goes to stderr, the report to stdout.
 */
import os from "node:os";

import { firstLoadJs } from "./client-js";
import { measureColdStarts } from "./cold-start";
import { measureMemory } from "./memory";
import { measurePageCost } from "./page-cost";
import { measurePoolUnderLoad } from "./pool";
import { residentBytes } from "./process-stats";
import { measureRefreshUnderLoad } from "./refresh";
import {
  formatFairShare,
  formatPageCost,
  formatPoolUnderLoad,
  formatRefresh,
  formatReport,
  formatScenariosBudget,
} from "./report";
import { formatRouteModules, measureRouteModules } from "./route-modules";
import { measureRoundTrips } from "./round-trips";
import { measureScenariosBudget } from "./scenarios-budget";
import { measureFairShare } from "./fair-share";
import { measureScenariosPage } from "./scenarios-page";
import { measureSignIns } from "./sign-in";
import { BENCH_DIST_DIR, buildApp, resetMakeBudgets, startBenchStack, type BenchStack } from "./stack";
import { testTuning } from "../tests/support/test-tuning";

const WARM_UP_REQUESTS = 2_000;
const MEMORY_REQUESTS = 5_000;
const began = performance.now();
const log = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);

/**
 * `npm run bench -- --only scenarios-budget`, `--only fair-share`, `--only page-cost`, `--only refresh` (rows 2
 * and 3), `--only pool` or `--only doors` (which routes load operator tooling, row 1, cold start): just those rows (sign-in first, since
 * they need a user). Row 1 alone runs right after the sign-ins, on a server that has served nothing else.
 */
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;

async function measureRowOne(stack: BenchStack, cookie: string) {
  log("page cost: /bare, /dashboard, /dashboard with ANSWER_CACHE_SECONDS=0, / signed out, at c=1 and c=16");
  const liveApp = await stack.startApp({ env: testTuning({ ANSWER_CACHE_SECONDS: 0 }) });
  try {
    return await measurePageCost(
      { app: stack.app, liveApp, cookie },
      { concurrencies: [1, 16], rounds: 7, roundMs: 1_500, warmUpMs: 2_000 },
    );
  } finally {
    await liveApp.close();
  }
}

async function main() {
  await buildApp(log);
  const stack = await startBenchStack(log);
  try {
    const { app, makeStandIn, standIn } = stack;
    const afterStart = residentBytes(app.pid);
    log(`app on ${app.url}, stand-in on ${makeStandIn.url}, database: ${stack.database.kind}`);

    log("sign-in: 20 sign-ins through the stand-in");
    const signIn = await measureSignIns(app.url, standIn);
    const { cookie } = signIn;
    const [account] = await stack.query<{ userId: string }>(
      `SELECT "userId" FROM "Account" WHERE provider = 'make' LIMIT 1`,
    );
    if (!account) throw new Error("no Make account after sign-in");

    if (only === "scenarios-budget") {
      const scenariosBudget = await measureScenariosBudget(stack, cookie, account.userId);
      process.stdout.write(formatScenariosBudget(scenariosBudget).join("\n") + "\n");
      return;
    }

    if (only === "refresh") {
      const roundTrips = await measureRoundTrips(stack, cookie, account.userId);
      await resetMakeBudgets(stack);
      const refresh = await measureRefreshUnderLoad(stack, cookie, account.userId);
      process.stdout.write(formatRefresh(roundTrips, refresh).join("\n") + "\n");
      return;
    }

    if (only === "pool") {
      process.stdout.write(formatPoolUnderLoad(await measurePoolUnderLoad(stack, cookie)).join("\n") + "\n");
      return;
    }

    if (only === "fair-share") {
      const fairShare = await measureFairShare(stack, cookie);
      process.stdout.write(formatFairShare(fairShare).join("\n") + "\n");
      return;
    }

    if (only === "doors") {
      const routeModules = await measureRouteModules(process.cwd(), BENCH_DIST_DIR);
      const pageCost = await measureRowOne(stack, cookie);
      log(
        "cold start: the standalone server from process start to its first /dashboard, then /bare, 5 times each",
      );
      const coldStart = await measureColdStarts(stack, cookie);
      const cold = (page: "dashboard" | "bare") =>
        [...coldStart[page]].sort((a, b) => a - b)[coldStart.runs >> 1];
      process.stdout.write(
        [
          ...formatRouteModules(routeModules),
          ...formatPageCost(pageCost),
          `cold start, median of ${coldStart.runs}: /dashboard ${cold("dashboard")?.toFixed(0)} ms · /bare ${cold("bare")?.toFixed(0)} ms`,
        ].join("\n") + "\n",
      );
      return;
    }

    if (only === "page-cost") {
      const pageCost = await measureRowOne(stack, cookie);
      process.stdout.write(formatPageCost(pageCost).join("\n") + "\n");
      return;
    }

    log("client JavaScript of /, /dashboard, /bare");
    const clientJs = {
      landing: await firstLoadJs(`${app.url}/`),
      dashboard: await firstLoadJs(`${app.url}/dashboard`, { cookie }),
      bare: await firstLoadJs(`${app.url}/bare`),
    };

    log(
      `memory: /dashboard at c=16 until warm (≥ ${WARM_UP_REQUESTS.toLocaleString("en")} requests and 6 full GCs), then ${MEMORY_REQUESTS.toLocaleString("en")} more`,
    );
    const memory = await measureMemory(app, cookie, WARM_UP_REQUESTS, MEMORY_REQUESTS);
    if (memory.failed) log(`warning: ${memory.failed} /dashboard requests failed during the memory phase`);

    const pageCost = await measureRowOne(stack, cookie);

    log("/dashboard/scenarios: Make API calls per view and time with the stand-in's API latency");
    const scenarios = await measureScenariosPage(stack, cookie);

    log(
      "/dashboard/scenarios against Make's budget: calls per view, per ten views, 5 users on a 60-a-minute org",
    );
    const scenariosBudget = await measureScenariosBudget(stack, cookie, account.userId);

    log("/dashboard/scenarios of one user while a colleague reloads a run-status URL: the fair share");
    const fairShare = await measureFairShare(stack, cookie);

    log("database round trips per request (second server behind the counting proxy)");
    const roundTrips = await measureRoundTrips(stack, cookie, account.userId);

    log("refresh under load: 5 expiries during a c=16 run");
    // Row 8 has just spent the organizations' budget; a spent budget slows the burst after each refresh
    // (bench/README.md), which is not what this row measures.
    await resetMakeBudgets(stack);
    const refresh = await measureRefreshUnderLoad(stack, cookie, account.userId);

    log(
      "cold start: the standalone server from process start to its first /dashboard, then /bare, 5 times each",
    );
    const coldStart = await measureColdStarts(stack, cookie);

    log("pool under Fluid compute: 50 concurrent /dashboard on one serverless instance through PgBouncer");
    const pool = await measurePoolUnderLoad(stack, cookie);

    const environment = [
      new Date().toISOString().slice(0, 16).replace("T", " "),
      `Node ${process.version}`,
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? "unknown"})`,
      stack.database.kind,
    ].join(", ");
    process.stdout.write(
      formatReport({
        environment,
        pageCost,
        scenarios,
        scenariosBudget,
        fairShare,
        roundTrips,
        refresh,
        signIn,
        clientJs,
        memory: { afterStart, ...memory },
        coldStart,
      }) +
        "\n\n" +
        formatRouteModules(await measureRouteModules(process.cwd(), BENCH_DIST_DIR)).join("\n") +
        "\n\n" +
        formatPoolUnderLoad(pool).join("\n") +
        "\n",
    );
  } finally {
    await stack.close();
  }
  log("done");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `\nnpm run bench could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
