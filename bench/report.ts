/**
 * The printed result: one markdown table of figures with their targets and PASS/MISS, the SQL behind the
 * round-trip counts, and a short note on how each figure is measured.
 */
import type { ClientJs } from "./client-js";
import type { ColdStartReport } from "./cold-start";
import { percentile } from "./load";
import type { PoolUnderLoad } from "./pool";
import type { MemoryReport } from "./memory";
import type { PageCost, VariantCost } from "./page-cost";
import type { RefreshReport } from "./refresh";
import type { RoundTrip } from "./pg-proxy";
import type { ScenariosBudget } from "./scenarios-budget";
import type { FairShare } from "./fair-share";
import type { ScenariosPageCost } from "./scenarios-page";
import type { RequestRoundTrips, RoundTripReport } from "./round-trips";
import type { SignInSummary } from "./sign-in";

export interface BenchResults {
  environment: string;
  pageCost: PageCost[];
  scenarios: ScenariosPageCost;
  scenariosBudget: ScenariosBudget;
  fairShare?: FairShare;
  roundTrips: RoundTripReport;
  refresh: RefreshReport;
  signIn: SignInSummary;
  clientJs: { landing: ClientJs; dashboard: ClientJs; bare: ClientJs };
  memory: MemoryReport & { afterStart: number };
  coldStart: ColdStartReport;
}

type Row = [section: string, figure: string, measured: string, target?: string, pass?: boolean];

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1)) + " ms";
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const signedPercent = (value: number) => `${value >= 0 ? "+" : ""}${(value * 100).toFixed(1)}%`;
const load = (summary: VariantCost) =>
  `${summary.perSecond.toFixed(0)} req/s · p50 ${ms(summary.p50)} · p95 ${ms(summary.p95)} · app CPU ${ms(summary.appCpuMsPerRequest)}/req` +
  (summary.failed ? ` · **${summary.failed} of ${summary.requests} failed**` : "");
const median = (values: number[]) => percentile(values, 50);
const spread = (values: number[]) =>
  `${ratio(median(values))} (rounds ${ratio(Math.min(...values))}–${ratio(Math.max(...values))})`;
const relative = (page: VariantCost, base: VariantCost, withCpu = false) =>
  [
    page.p50 / base.p50,
    page.p95 / base.p95,
    ...(withCpu ? [page.appCpuMsPerRequest / base.appCpuMsPerRequest] : []),
  ]
    .map(ratio)
    .join(" · ");

/** Row 1: /dashboard against /bare. The targets are issue 20's, at both concurrencies. */
function pageCostRows(pageCost: PageCost[]): Row[] {
  const out: Row[] = [];
  for (const { concurrency, results: r, roundRatios } of pageCost) {
    const c = `c=${concurrency}`;
    const throughput = median(roundRatios.dashboard);
    const cpu = r.dashboard.appCpuMsPerRequest / r.bare.appCpuMsPerRequest;
    out.push(["1", `/bare, ${c}`, load(r.bare)]);
    out.push(["1", `/dashboard, ${c}`, load(r.dashboard)]);
    out.push(["1", `/dashboard, Make profile live¹, ${c}`, load(r.dashboardLive)]);
    out.push(["1", `/ (signed out), ${c}`, load(r.landing)]);
    out.push([
      "1",
      `/dashboard ÷ /bare throughput, ${c}³`,
      spread(roundRatios.dashboard),
      "≥ 0.70×",
      throughput >= 0.7,
    ]);
    out.push(["1", `/dashboard ÷ /bare app CPU per request, ${c}`, ratio(cpu), "≤ 1.50×", cpu <= 1.5]);
    out.push(["1", `/dashboard ÷ /bare: p50 · p95 latency, ${c}`, relative(r.dashboard, r.bare)]);
    out.push(["1", `/dashboard live¹ ÷ /bare throughput, ${c}³`, spread(roundRatios.dashboardLive)]);
    out.push([
      "1",
      `/dashboard live¹ ÷ /bare: p50 · p95 latency · app CPU per request, ${c}`,
      relative(r.dashboardLive, r.bare, true),
    ]);
  }
  return out;
}

/** Rows 2 and 3: database round trips of one request, and the refresh under load. */
function refreshRows(roundTrips: RoundTripReport, refreshRun: BenchResults["refresh"]): Row[] {
  const { fresh, refresh, refreshGrants, opaque } = roundTrips;
  const out: Row[] = [];
  const counted = (trips: RequestRoundTrips, more = "") =>
    `${trips.count}${opaque ? " (TLS: incomplete)" : ""} (samples ${trips.samples.join(" ")}${more}` +
    `${trips.connectionsOpened ? `; ${trips.connectionsOpened} new connections meanwhile` : ""})`;
  out.push(["2", "DB round trips, /dashboard with a fresh token", counted(fresh), "≤ 1", fresh.count <= 1]);
  out.push([
    "2",
    "DB round trips, /dashboard that refreshes the token",
    counted(refresh, `; grants ${refreshGrants.join(" ")}`),
  ]);

  const r = refreshRun;
  const during = `requests that arrived during a refresh (n=${r.during}; stand-in token latency ${r.tokenLatencyMs} ms)`;
  out.push([
    "3",
    `refresh grants per expiry (${r.expiries} expiries, c=${r.concurrency})`,
    r.grantsPerExpiry.join(", "),
    "1 each",
    r.grantsPerExpiry.every((grants) => grants === 1),
  ]);
  out.push([
    "3",
    "failed requests during the refresh run",
    `${r.failed} of ${r.requests}`,
    "0",
    r.failed === 0,
  ]);
  out.push([
    "3",
    `p99 of ${during}`,
    ms(r.duringP99),
    `< ${ms(2 * r.tokenLatencyMs)}`,
    r.during > 0 && r.duringP99 < 2 * r.tokenLatencyMs,
  ]);
  out.push([
    "3",
    "…the same requests: p50 latency · p99 of the part after Make answered the refresh",
    `${ms(r.duringP50)} · ${ms(r.afterAnswerP99)}`,
  ]);
  out.push([
    "3",
    "userinfo requests to the stand-in per expiry (Make profile reloads)",
    r.userinfoPerExpiry.join(", "),
  ]);
  return out;
}

function rows(results: BenchResults): Row[] {
  const out = pageCostRows(results.pageCost);

  const sc = results.scenarios;
  const zones = Object.entries(sc.callsPerViewByZone)
    .map(([zone, calls]) => `${calls.toFixed(1)} to ${zone}`)
    .join(", ");
  const timing = (summary: {
    perSecond: number;
    p50: number;
    p95: number;
    failed: number;
    requests: number;
  }) =>
    `p50 ${ms(summary.p50)} · p95 ${ms(summary.p95)} · ${summary.perSecond.toFixed(1)} views/s` +
    (summary.failed ? ` · **${summary.failed} of ${summary.requests} failed**` : "");
  out.push([
    "7",
    `/dashboard/scenarios: Make API calls per view⁵ (${sc.views} views)`,
    `${sc.callsPerView.toFixed(1)} (${zones})`,
  ]);
  out.push([
    "7",
    `/dashboard/scenarios, c=1, stand-in API latency ${ms(sc.apiLatencyMs)}⁵`,
    timing(sc.sequential),
  ]);
  out.push([
    "7",
    `/dashboard/scenarios, c=${sc.concurrent.concurrency}, stand-in API latency ${ms(sc.apiLatencyMs)}⁵`,
    timing(sc.concurrent),
  ]);

  out.push(...scenariosBudgetRows(results.scenariosBudget));
  if (results.fairShare) out.push(...fairShareRows(results.fairShare));

  out.push(...refreshRows(results.roundTrips, results.refresh));

  const s = results.signIn;
  out.push([
    "4",
    `sign-in callback, app's own time (${s.count} sign-ins), median · p95`,
    `${ms(s.appMedian)} · ${ms(s.appP95)}`,
  ]);
  out.push([
    "4",
    "sign-in callback as the browser sees it · stand-in's part, medians",
    `${ms(s.callbackMedian)} · ${ms(s.standInMedian)}`,
  ]);

  const js = results.clientJs;
  const jsRow = (value: ClientJs) =>
    `${kb(value.gzipBytes)} gzip (${kb(value.bytes)} raw, ${value.scripts} files)`;
  out.push(["5", "first-load JS, /", jsRow(js.landing)]);
  out.push(["5", "first-load JS, /dashboard", jsRow(js.dashboard)]);
  out.push(["5", "first-load JS, /bare", jsRow(js.bare)]);
  const jsGrowth = js.dashboard.gzipBytes / js.bare.gzipBytes - 1;
  out.push([
    "5",
    "first-load JS, /dashboard vs /bare (gzip)",
    signedPercent(jsGrowth),
    "within ±5%",
    Math.abs(jsGrowth) <= 0.05,
  ]);

  const m = results.memory;
  const warm = `${m.warmUpRequests.toLocaleString("en")} requests`;
  const more = `${m.requests.toLocaleString("en")} more`;
  out.push([
    "6",
    `server RSS after start · warm (after ${warm}) · after ${more}²`,
    `${mb(m.afterStart)} · ${mb(m.warm.rss)} · ${mb(m.after.rss)}`,
  ]);
  const growth = m.after.rss / m.warm.rss - 1;
  const growthKnown = Number.isFinite(growth);
  out.push([
    "6",
    `RSS growth over the ${more} /dashboard requests (${m.warm.fullGcs} · ${m.after.fullGcs} full GCs)²`,
    growthKnown ? signedPercent(growth) : "n/a (V8 ran no full GC in a phase)",
    "≤ +10%",
    growthKnown ? growth <= 0.1 : undefined,
  ]);
  out.push([
    "6",
    `JS heap in use after V8's full GCs, warm → after ${more}²`,
    growthKnown
      ? `${mb(m.warm.heapAfterFullGc)} → ${mb(m.after.heapAfterFullGc)} (${signedPercent(m.after.heapAfterFullGc / m.warm.heapAfterFullGc - 1)})`
      : "n/a (V8 ran no full GC in a phase)",
  ]);
  out.push([
    "6",
    "highest RSS sampled (every 250 requests), warm-up · after",
    `${mb(m.warm.peakRss)} · ${mb(m.after.peakRss)}`,
  ]);

  const cold = results.coldStart;
  const coldDashboard = median(cold.dashboard);
  const coldBare = median(cold.bare);
  out.push([
    "8",
    `cold start⁴, process start → first response, median of ${cold.runs}: /dashboard · /bare · ratio`,
    `${ms(coldDashboard)} · ${ms(coldBare)} · ${ratio(coldDashboard / coldBare)}`,
  ]);
  out.push(["8", "standalone output (traced server files, node_modules, static files)", mb(cold.bytes)]);
  return out;
}

const roundTripLines = (title: string, trips: RoundTrip[]) => [
  `${title}:`,
  ...trips.map(
    (trip, i) =>
      `  ${String(i + 1).padStart(2)}. [conn ${trip.connection}] ${trip.sql.join(" ; ") || "(sync, no statement)"}`,
  ),
];

export function formatReport(results: BenchResults): string {
  const table = [
    "| # | figure | measured | target | result |",
    "|---|---|---|---|---|",
    ...rows(results).map(
      ([section, figure, measured, target, pass]) =>
        `| ${section} | ${figure} | ${measured} | ${target ?? ""} | ${pass === undefined ? "" : pass ? "PASS" : "**MISS**"} |`,
    ),
  ];
  return [
    `## npm run bench — ${results.environment}`,
    "",
    ...table,
    "",
    "¹ live: a second server of the same build with ANSWER_CACHE_SECONDS=0, so every view calls Make's userinfo,",
    "  organizations and current-authorization endpoints. Plain /dashboard runs with the default (cached 60 s).",
    "² RSS and heap right after the full GCs V8 ran by itself (median over the phase; warm: its last 4), since in",
    "  between they swing by a third or more with garbage not yet collected. Warm = the routes loaded and V8's heap",
    "  sized: at least 2,000 requests and 6 full GCs. Right after start the server has loaded nothing yet, so growth",
    "  from that first reading says nothing about leaks. Requests in flight (c=16) are part of every reading.",
    "³ Median of the per-round ratios (each round's variants ran next to each other), with their range.",
    "⁴ A new standalone server (NEXT_OUTPUT=standalone, copied alone to an empty directory) per run; the",
    "  first /dashboard includes the database connection, the session read and the first Make profile load.",
    "⁵ Uncached views, on a second server with ANSWER_CACHE_SECONDS=0: a view asks Make for the organizations,",
    "  the granted scopes and each organization's reach, then each organization's zone for its teams and its",
    "  scenarios in one list; each API answer is delayed by the stand-in's latency. Organization budgets reset first.",
    SCENARIOS_BUDGET_NOTE,
    "",
    ...roundTripLines("Round trips of one /dashboard request, fresh token", results.roundTrips.fresh.example),
    "",
    ...roundTripLines(
      "Round trips of one /dashboard request that refreshes the token",
      results.roundTrips.refresh.example,
    ),
    "",
    "How measured:",
    "- 1: closed-loop keep-alive load (bench/load.ts) for a signed-in user; the variants alternate in short rounds,",
    "  so only their ratios are meant to be compared. The database, the stand-in and the load generator share this",
    "  machine with the app. App CPU per request: utime+stime of the server process from /proc.",
    "- 2: a TCP proxy reads the PostgreSQL protocol (bench/pg-proxy.ts): one round trip per simple query or per",
    "  Sync of the extended protocol; sequential requests; the most frequent count is reported.",
    "- 3: during the run the token is made due in the database (1-2 s before expiry, inside the refresh margin);",
    '  grants counted by the stand-in; "arrived during a refresh" = started between that moment and the',
    "  stand-in's answer to the refresh grant.",
    "- 4: client-side time of GET /api/auth/callback/make minus the time the stand-in spent answering requests",
    "  during it (Node's HTTP diagnostics channels in this process).",
    "- 5: the HTML of each page, every script it loads or preloads, downloaded and gzip-compressed.",
    "- 6: RSS and heap in use right after each full GC, from a probe preloaded into the server",
    "  (bench/heap-probe.cjs); after start and the peak: VmRSS of `next start` and its children from /proc. No GC",
    "  is forced.",
    "- 7: sequential, then concurrent views of /dashboard/scenarios for the signed-in user; Make API calls counted",
    "  by the stand-in per zone origin.",
    "- 8: from spawning `node server.js` to the first response of the page, polled every 5 ms until it listens.",
  ].join("\n");
}

function scenariosBudgetRows(budget: ScenariosBudget): Row[] {
  return [
    [
      "8",
      "/dashboard/scenarios: Make calls about organizations, first view (new token)⁶",
      String(budget.callsFirstView),
    ],
    [
      "8",
      "/dashboard/scenarios: Make calls about organizations per ten views⁶",
      String(budget.callsPerTenViews),
      "= first view",
      budget.callsPerTenViews === budget.callsFirstView,
    ],
    [
      "8",
      "listing scenarios: one list per organization vs one per team, same data⁶",
      `${budget.perOrganizationCalls} vs ${budget.perTeamCalls} calls`,
      "fewer",
      budget.perOrganizationCalls < budget.perTeamCalls,
    ],
    [
      "8",
      `${budget.users} users of one 60-a-minute organization reloading for ${Math.round(budget.durationMs / 1000)} s: 429s from Make⁶`,
      `${budget.makeRateLimited} (${budget.views} views, ${budget.viewsShowingLimit} said when to try again, ${budget.failedViews} failed)`,
      "0, no failed view",
      budget.makeRateLimited === 0 && budget.failedViews === 0,
    ],
  ];
}

/** Some rows alone (`npm run bench -- --only …`), as a markdown table. */
function rowsTable(rows: Row[]): string[] {
  return [
    "| figure | measured | target | |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      ([, figure, measured, target, pass]) =>
        `| ${figure} | ${measured} | ${target ?? ""} | ${pass === undefined ? "" : pass ? "pass" : "**miss**"} |`,
    ),
  ];
}

/** The pool under Fluid compute: 50 concurrent /dashboard requests on one instance through PgBouncer. */
export function formatPoolUnderLoad(pool: PoolUnderLoad | { skipped: string }): string[] {
  if ("skipped" in pool) return [`Pool under Fluid compute: skipped (${pool.skipped}).`];
  return rowsTable([
    [
      "9",
      `${pool.concurrency} concurrent /dashboard on one serverless instance through PgBouncer (${pool.serverConnections} server connections): failed requests`,
      `${pool.failed} of ${pool.requests}`,
      "0",
      pool.failed === 0,
    ],
    ["9", "… latency p50 / p95", `${pool.p50Ms.toFixed(0)} / ${pool.p95Ms.toFixed(0)} ms`],
  ]);
}

/** `npm run bench -- --only refresh`: rows 2 and 3 alone. */
export function formatRefresh(roundTrips: RoundTripReport, refreshRun: BenchResults["refresh"]): string[] {
  return rowsTable(refreshRows(roundTrips, refreshRun));
}

function fairShareRows(fair: FairShare): Row[] {
  return [
    [
      "8",
      `B's /dashboard/scenarios (new token each view) while A reloads a run-status URL for ${Math.round(fair.durationMs / 1000)} s: p95⁷`,
      `${fair.p95Ms.toFixed(0)} ms`,
    ],
    [
      "8",
      "… B's views that listed scenarios; A's views told to wait⁷",
      `${fair.viewsWithData} of ${fair.views}; ${fair.hammerToldToWait} of ${fair.hammerViews}`,
      "all of B's",
      fair.viewsWithData === fair.views,
    ],
  ];
}

const FAIR_SHARE_NOTE =
  "⁷ Ada (A) and colleague-1 (B) share one 60-a-minute organization. A's run names an execution Make does " +
  "not know, so nothing can be cached and each of A's views asks Make; B's token is made due before each " +
  "view, so each asks Make for reach, teams and scenarios. The fair share: docs/architecture.md.";

/** `npm run bench -- --only fair-share`: B's view while A hammers. */
export function formatFairShare(fair: FairShare): string[] {
  return [...rowsTable(fairShareRows(fair)), "", FAIR_SHARE_NOTE];
}

/** `npm run bench -- --only page-cost`: row 1 alone. */
export function formatPageCost(pageCost: PageCost[]): string[] {
  return rowsTable(pageCostRows(pageCost));
}

/** `npm run bench -- --only scenarios-budget`: the rows about Make's API budget alone. */
export function formatScenariosBudget(budget: ScenariosBudget): string[] {
  return [...rowsTable(scenariosBudgetRows(budget)), "", SCENARIOS_BUDGET_NOTE];
}

const SCENARIOS_BUDGET_NOTE =
  "⁶ Calls that spend an organization's budget (its zone: reach check, teams, scenarios), counted at the stand-in, " +
  "whose tokens live 300 s like Make's. Per team is derived from the page's own data (teams, then pages of 50 " +
  "per team); the app lists each organization's scenarios in one call (pages of 200). Five users: ada and her " +
  "four colleagues, each reloading every 0.5 s.";
