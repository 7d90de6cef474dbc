/**
 * Row 8, the fair share: B (colleague-1) opens /dashboard/scenarios with a fresh token each time while A
 * (ada, same organization) reloads a run-status URL whose execution Make does not know, so every view of A
 * asks Make. Measured: B's view time (p95) and how many of B's views listed scenarios (bench/report.ts).
 */
import type { BenchStack } from "./stack";
import { makeTokenDue, resetMakeBudgets } from "./stack";
import { percentile } from "./load";
import { signInWithMake } from "./sign-in";

export interface FairShare {
  durationMs: number;
  hammerViews: number;
  /** A's views that were told to wait. */
  hammerToldToWait: number;
  views: number;
  viewsWithData: number;
  p95Ms: number;
}

const RUN_KEY = "00000000-0000-4000-8000-00000000fa1e";

export async function measureFairShare(
  stack: BenchStack,
  cookie: string,
  { durationMs = 60_000, views = 10 } = {},
): Promise<FairShare> {
  const { app } = stack;
  const b = await signInWithMake(app.url, stack.standIn, "colleague-1");
  const [ada] = await stack.query<{ userId: string }>(
    `SELECT "userId" FROM "Account" WHERE provider = 'make' AND "providerAccountId" = '1001'`,
  );
  const [colleague] = await stack.query<{ userId: string }>(
    `SELECT "userId" FROM "Account" WHERE provider = 'make' AND "providerAccountId" = '1011'`,
  );
  if (!ada || !colleague) throw new Error("fair share: ada and colleague-1 must be signed in");
  await stack.query(`DELETE FROM "ScenarioRun" WHERE "requestKey" = $1`, [RUN_KEY]);
  await stack.query(
    `INSERT INTO "ScenarioRun" ("id", "userId", "requestKey", "scenarioId", "organizationId", "zone", "status", "executionId")
     VALUES ('bench-fair-share', $1, $2, 9101, 5001, $3, 'started', 'bench-unknown-execution')`,
    [ada.userId, RUN_KEY, stack.makeStandIn.zones[0]],
  );
  await resetMakeBudgets(stack);

  const until = performance.now() + durationMs;
  let hammerViews = 0;
  let hammerToldToWait = 0;
  const hammer = (async () => {
    while (performance.now() < until) {
      const response = await fetch(`${app.url}/dashboard/scenarios?run=${RUN_KEY}`, { headers: { cookie } });
      const body = await response.text();
      hammerViews += 1;
      if (body.includes('data-run-status-problem="rate_limited"')) hammerToldToWait += 1;
    }
  })();

  const times: number[] = [];
  let viewsWithData = 0;
  for (let view = 0; view < views; view++) {
    await new Promise((resolve) => setTimeout(resolve, durationMs / (views + 1)));
    await makeTokenDue(stack, colleague.userId);
    const started = performance.now();
    const response = await fetch(`${app.url}/dashboard/scenarios`, { headers: { cookie: b.cookie } });
    const body = await response.text();
    times.push(performance.now() - started);
    if (response.ok && body.includes("data-scenario=") && !body.includes("data-make-error="))
      viewsWithData += 1;
  }
  await hammer;
  await stack.query(`DELETE FROM "ScenarioRun" WHERE "requestKey" = $1`, [RUN_KEY]);
  return {
    durationMs,
    hammerViews,
    hammerToldToWait,
    views,
    viewsWithData,
    p95Ms: percentile(times, 95),
  };
}
