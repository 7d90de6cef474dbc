/**
 * Protected page cost: /dashboard for a signed-in user against /bare, a dynamic page of the same build
 * with no auth, database or Make. The variants run in short alternating rounds, their order rotated each
 * round, and the throughput ratio is the median of the per-round ratios: a burst of load from something
 * else on the machine then spoils one round's ratio, not the verdict.
 *
 * The start page (`/`, signed out) runs beside them: with /dashboard, the pages that carry a per-request
 * Content Security Policy nonce (proxy.ts).
 *
 * /dashboard runs twice: on the main server, configured by default (Make profile cached for
 * ANSWER_CACHE_SECONDS), and on a second server of the same build with ANSWER_CACHE_SECONDS=0,
 * where every view calls Make's userinfo, organizations and current-authorization endpoints. Besides
 * throughput and latency, each variant's app-server CPU time per request is read from /proc: unlike
 * latency, it does not grow when the machine is busy with something else.
 */
import type { AppServer } from "../tests/support/app-server";
import { runLoad, summarize, type LatencySummary, type LoadOptions, type LoadResult } from "./load";
import { cpuMs } from "./process-stats";

export const dashboardIsHealthy = (status: number, body: string) =>
  status === 200 &&
  body.includes('data-connection-state="active"') &&
  !body.includes("data-identity-unavailable");

export type Variant = "bare" | "dashboard" | "dashboardLive" | "landing";

export interface VariantCost extends LatencySummary {
  appCpuMsPerRequest: number;
}

export interface PageCost {
  concurrency: number;
  results: Record<Variant, VariantCost>;
  /** Throughput of each dashboard variant ÷ that of /bare, round by round (neighbours in time). */
  roundRatios: Record<Exclude<Variant, "bare" | "landing">, number[]>;
}

export interface PageCostSetup {
  /** The server as configured by default. */
  app: AppServer;
  /** The same build with the Make profile cache off. */
  liveApp: AppServer;
  cookie: string;
}

function variants({
  app,
  liveApp,
  cookie,
}: PageCostSetup): Record<Variant, { server: AppServer; load: Omit<LoadOptions, "concurrency"> }> {
  const dashboard = (server: AppServer) => ({
    server,
    load: { url: `${server.url}/dashboard`, headers: { cookie }, check: dashboardIsHealthy },
  });
  return {
    bare: { server: app, load: { url: `${app.url}/bare` } },
    dashboard: dashboard(app),
    dashboardLive: dashboard(liveApp),
    // The start page as a visitor who is not signed in sees it.
    landing: { server: app, load: { url: `${app.url}/` } },
  };
}

export async function measurePageCost(
  setup: PageCostSetup,
  options: { concurrencies: number[]; rounds: number; roundMs: number; warmUpMs: number },
): Promise<PageCost[]> {
  const all = variants(setup);
  const names = Object.keys(all) as Variant[];
  const run = async (name: Variant, concurrency: number, durationMs: number) => {
    const { server, load } = all[name];
    const cpuBefore = cpuMs(server.pid);
    const result = await runLoad({ ...load, concurrency, durationMs });
    return { result, cpu: cpuMs(server.pid) - cpuBefore };
  };

  for (const name of names) await run(name, Math.max(...options.concurrencies), options.warmUpMs);
  const costs: PageCost[] = [];
  for (const concurrency of options.concurrencies) {
    const collected = Object.fromEntries(
      names.map((name) => [name, { results: [] as LoadResult[], cpu: 0 }]),
    );
    for (let round = 0; round < options.rounds; round++) {
      const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
      for (const name of order) {
        const { result, cpu } = await run(name, concurrency, options.roundMs);
        collected[name]!.results.push(result);
        collected[name]!.cpu += cpu;
      }
    }
    const results = Object.fromEntries(
      names.map((name) => {
        const { results: runs, cpu } = collected[name]!;
        const summary = summarize(runs);
        return [name, { ...summary, appCpuMsPerRequest: cpu / summary.requests }];
      }),
    ) as Record<Variant, VariantCost>;
    const perSecond = (name: Variant) =>
      collected[name]!.results.map((result) => result.samples.length / result.elapsedMs);
    const ratios = (name: Variant) =>
      perSecond(name).map((value, round) => value / perSecond("bare")[round]!);
    costs.push({
      concurrency,
      results,
      roundRatios: { dashboard: ratios("dashboard"), dashboardLive: ratios("dashboardLive") },
    });
  }
  return costs;
}
