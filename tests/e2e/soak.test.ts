/**
 * The soak in about a minute (bench/soak-run.ts with SHORT_PLAN): 20 users on two servers, the second a
 * serverless instance, through a server killed mid-refresh, dropped database connections and a failing,
 * then slow, Make. Fails on any broken invariant, with the soak's table as the message.
 */
import { afterAll, expect, inject, it } from "vitest";
import { SHORT_PLAN } from "@/bench/soak-faults";
import { runSoak } from "@/bench/soak-run";
import { TEST_DIST_DIR } from "../support/app-server";
import { freshDatabase, type FreshDatabase } from "../support/postgres";

let database: FreshDatabase | undefined;
afterAll(async () => {
  await database?.drop();
});

it("keeps every user's Make connection through a kill, a database drop and a failing Make", async () => {
  database = await freshDatabase(inject("postgresUrl"));
  const log = (line: string) => console.error(`[soak] ${line}`);
  const report = await runSoak(
    // Server B runs as a serverless instance, suspended whenever nothing is in flight.
    {
      distDir: TEST_DIST_DIR,
      databaseUrl: database.url,
      environment: "npm test (short soak, server B serverless)",
      serverless: [1],
    },
    SHORT_PLAN,
    log,
  );
  console.log(report.table);
  expect(
    report.invariants.filter((invariant) => !invariant.pass),
    report.table,
  ).toEqual([]);
}, 300_000);
