/**
 * /dashboard/scenarios, the page that calls Make's API in each organization's zone: how many calls to Make
 * a view makes when nothing is cached (and to which zone), and how long such a view takes when every API
 * answer comes after the stand-in's latency, as Make's would after a network hop. On a second server of the
 * build with the per-token cache off (ANSWER_CACHE_SECONDS=0); sequential views, then c=4.
 */
import { resetMakeBudgets, type BenchStack } from "./stack";
import { runLoad, summarize, type LatencySummary } from "./load";
import { testTuning } from "../tests/support/test-tuning";

export interface ScenariosPageCost {
  apiLatencyMs: number;
  views: number;
  /** Calls to Make's REST API per view, in total and by zone host. */
  callsPerView: number;
  callsPerViewByZone: Record<string, number>;
  sequential: LatencySummary;
  concurrent: LatencySummary & { concurrency: number };
}

/** Both of the benchmark user's organizations rendered, no Make error on the page. */
export const scenariosPageIsHealthy = (status: number, body: string) =>
  status === 200 &&
  body.includes('data-team="7001"') &&
  body.includes('data-team="7011"') &&
  !body.includes("data-make-error");

export async function measureScenariosPage(
  stack: BenchStack,
  cookie: string,
  { apiLimit = 1_000_000, apiLatencyMs = 50, views = 30, concurrency = 4, durationMs = 5_000 } = {},
): Promise<ScenariosPageCost> {
  const { makeStandIn } = stack;
  // The organization budget stays out of the way: this measures cost, not Make's rate limit. The app
  // learns the larger `license.apiLimit` from its first reach check and paces by it.
  await resetMakeBudgets(stack);
  makeStandIn.controls.configure({ apiLatencyMs, apiBudget: apiLimit });
  // Every view calls Make: a server with the per-token cache off (a cached view calls Make not at all).
  const app = await stack.startApp({ env: testTuning({ ANSWER_CACHE_SECONDS: 0 }) });
  const load = { url: `${app.url}/dashboard/scenarios`, headers: { cookie }, check: scenariosPageIsHealthy };
  try {
    await runLoad({ ...load, concurrency: 1, requests: 3 });
    const before = makeStandIn.controls.stats().api.length;
    const sequential = await runLoad({ ...load, concurrency: 1, requests: views });
    const calls = makeStandIn.controls.stats().api.slice(before);
    const byZone: Record<string, number> = {};
    for (const call of calls) byZone[call.zone] = (byZone[call.zone] ?? 0) + 1 / views;
    const concurrent = await runLoad({ ...load, concurrency, durationMs });
    return {
      apiLatencyMs,
      views,
      callsPerView: calls.length / views,
      callsPerViewByZone: byZone,
      sequential: summarize([sequential]),
      concurrent: { ...summarize([concurrent]), concurrency },
    };
  } finally {
    await app.close();
    await resetMakeBudgets(stack);
  }
}
