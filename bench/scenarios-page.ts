/**
 * /dashboard/scenarios, the page that calls Make's API in each organization's zone on every view: how
 * many calls to Make one view makes (and to which zone), and how long a view takes when every API answer
 * comes after the stand-in's latency, as Make's would after a network hop. Sequential views, then c=4.
 */
import type { BenchStack } from "./stack";
import { runLoad, summarize, type LatencySummary } from "./load";

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
  { apiLatencyMs = 50, views = 30, concurrency = 4, durationMs = 5_000 } = {},
): Promise<ScenariosPageCost> {
  const { makeStandIn, app } = stack;
  const defaults = makeStandIn.controls.config();
  // The organization budget stays out of the way: this measures cost, not Make's rate limit.
  makeStandIn.controls.configure({ apiLatencyMs, apiBudget: 1_000_000 });
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
    makeStandIn.controls.configure({ apiLatencyMs: defaults.apiLatencyMs, apiBudget: defaults.apiBudget });
  }
}
