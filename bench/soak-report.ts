/**
 * The soak's verdict: each invariant checked from the stand-in's own record of refresh tokens and from the
 * database, and every recorded answer held against the fault windows, printed as one markdown table.
 */
import type { RefreshTokenUse } from "../make-stand-in/server";
import { percentile } from "./load";
import { answerLabel, type FaultWindow, type SoakPlan } from "./soak-faults";
import type { SoakRequest, SoakUser } from "./soak-users";

export interface SoakEvidence {
  plan: SoakPlan;
  environment: string;
  users: SoakUser[];
  requests: SoakRequest[];
  windows: FaultWindow[];
  refreshTokens: RefreshTokenUse[];
  /** Epoch milliseconds the browsing started and ended. */
  began: number;
  ended: number;
  /** Each user's connection at the end, from the database. */
  finalStates: Array<{ sub: string; state: string; hasRefreshToken: boolean }>;
}

export interface Invariant {
  name: string;
  measured: string;
  pass: boolean;
}

export interface SoakReport {
  invariants: Invariant[];
  table: string;
  passed: boolean;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number) => n.toLocaleString("en");

const overlaps = (request: SoakRequest, window: FaultWindow) =>
  request.start <= window.recovered && request.end >= window.start;

/** Whether `request` got an answer documented for the windows it overlaps (only `ok` outside them). */
export function isDocumented(request: SoakRequest, windows: FaultWindow[]): boolean {
  if (request.kind === "ok") return true;
  const label = answerLabel(request.kind, request.reason);
  return windows.some(
    (window) =>
      overlaps(request, window) &&
      (window.allowed.has(label) || window.allowed.has(request.kind)) &&
      (request.kind !== "cut" || request.server === window.server),
  );
}

function grantsBySub(uses: RefreshTokenUse[]): Map<string, number[]> {
  const bySub = new Map<string, number[]>();
  for (const use of uses) {
    if (use.outcome !== "answered" || use.status !== 200 || !use.sub) continue;
    bySub.set(use.sub, [...(bySub.get(use.sub) ?? []), use.at]);
  }
  return bySub;
}

/** Milliseconds of [from, to] inside at least one window. */
function unionMs(windows: FaultWindow[], from: number, to: number): number {
  const spans = windows
    .map((window) => [Math.max(from, window.start), Math.min(to, window.recovered)] as const)
    .filter(([start, end]) => end > start)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let reached = from;
  for (const [start, end] of spans) {
    total += Math.max(0, end - Math.max(start, reached));
    reached = Math.max(reached, end);
  }
  return total;
}

export function judgeSoak(evidence: SoakEvidence): SoakReport {
  const { plan, users, requests, windows, refreshTokens } = evidence;
  const runMs = evidence.ended - evidence.began;
  const freshMs = (plan.accessTokenTtlSeconds - plan.refreshMarginSeconds) * 1000;

  // 1. No refresh token presented twice to Make (presentations a failure switch answered, or that never
  //    reached Make, used nothing up).
  const processed = refreshTokens.filter((use) => use.outcome === "answered");
  const seen = new Map<string, number>();
  for (const use of processed) seen.set(use.fingerprint, (seen.get(use.fingerprint) ?? 0) + 1);
  const presentedTwice = [...seen.values()].filter((times) => times > 1).length;
  const reused = processed.filter((use) => use.alreadyUsed || !use.sub).length;
  const refused = processed.filter((use) => use.status !== 200);
  const refusedStatuses = [...new Set(refused.map((use) => use.status ?? "no answer sent"))].join(", ");

  // 2. Every user active at the end, refresh token held.
  const inactive = evidence.finalStates.filter((row) => row.state !== "active" || !row.hasRefreshToken);
  const missing = users.length - evidence.finalStates.length;

  // 3. Grants per user. A renewed token is fresh for TTL − margin, so two grants of one user closer than that
  //    (less a second for clocks) are a second refresh of one expiry, and `most` follows from it. A user
  //    viewing a page at least every `pauseMs[1]` renews within a pause (and a slow view) of entering the
  //    margin, so between two grants with no fault in between lie at most `longestCalmGapMs`, and the calm
  //    part of the run (outside every window) bounds the count from below. `expected`: a run without
  //    faults, the renewal coming on average (a² + ab + b²) / 3(a + b) after the margin begins (the mean
  //    residual wait for a view when pauses are uniform in [a, b]).
  const bySub = grantsBySub(refreshTokens);
  const perUser = users.map((user) => bySub.get(user.sub) ?? []);
  const counts = perUser.map((times) => times.length);
  const pairs = perUser.flatMap((times) => times.slice(1).map((at, i) => ({ from: times[i]!, to: at })));
  const gaps = pairs.map((pair) => pair.to - pair.from);
  const shortestGap = gaps.length ? Math.min(...gaps) : NaN;
  const longestCalmGapMs = freshMs + plan.pauseMs[1] + 3_000;
  const calmPairs = pairs.filter(
    (pair) => !windows.some((window) => pair.from <= window.recovered && pair.to >= window.start),
  );
  const longestCalmGap = Math.max(0, ...calmPairs.map((pair) => pair.to - pair.from));
  const calmMs = runMs - unionMs(windows, evidence.began, evidence.ended);
  const fewest = Math.max(1, Math.floor(calmMs / longestCalmGapMs) - 1);
  const most = Math.ceil(runMs / freshMs) + 1;
  const [a, b] = plan.pauseMs;
  const expected = runMs / (freshMs + (a * a + a * b + b * b) / (3 * (a + b)));
  const outOfRange = counts.filter((n) => n < fewest || n > most).length;

  // 4. Answers: only `ok` outside the fault windows, documented ones inside.
  const undocumented = requests.filter((request) => !isDocumented(request, windows));
  const inside = requests.filter((request) => windows.some((window) => overlaps(request, window)));
  const outsideFailed = undocumented.filter((request) => !inside.includes(request));
  const kinds = new Map<string, number>();
  for (const request of requests) {
    const label = answerLabel(request.kind, request.reason);
    kinds.set(label, (kinds.get(label) ?? 0) + 1);
  }
  const killed = windows.find((window) => window.fault === "kill");
  const abandoned = refreshTokens.filter(
    (use) => use.outcome === "abandoned" && killed && use.at >= killed.killedAt!,
  ).length;

  const invariants: Invariant[] = [
    {
      name: "no refresh token presented twice (the stand-in's record)",
      measured: `${count(presentedTwice)} presented twice, ${count(reused)} already used or unknown, of ${count(processed.length)} presented`,
      pass: presentedTwice === 0 && reused === 0 && processed.length > 0,
    },
    {
      name: "every refresh Make processed succeeded",
      measured: refused.length ? `${count(refused.length)} refused (${refusedStatuses})` : "0 refused",
      pass: refused.length === 0,
    },
    {
      name: "every user `active` at the end, refresh token held",
      measured: `${count(users.length - inactive.length - missing)} of ${count(users.length)}`,
      pass: inactive.length === 0 && missing === 0,
    },
    {
      name: `grants per user within [${fewest}, ${most}] (≈ ${expected.toFixed(1)} expected)`,
      measured: `min ${Math.min(...counts)} · median ${percentile(counts, 50)} · max ${Math.max(...counts)}; ${outOfRange} users outside`,
      pass: outOfRange === 0,
    },
    {
      name: `no two grants of one user closer than TTL − margin (${seconds(freshMs)}) less 1 s`,
      measured: `shortest gap ${Number.isNaN(shortestGap) ? "none" : seconds(shortestGap)}`,
      pass: !(shortestGap < freshMs - 1_000),
    },
    {
      name: `no fault between two grants of one user: at most ${seconds(longestCalmGapMs)} apart`,
      measured: `longest ${seconds(longestCalmGap)} (${count(calmPairs.length)} such pairs)`,
      pass: longestCalmGap <= longestCalmGapMs,
    },
    {
      name: "no request failed outside the fault windows",
      measured: `${count(outsideFailed.length)} of ${count(requests.length - inside.length)}`,
      pass: outsideFailed.length === 0 && requests.length > inside.length,
    },
    {
      name: "inside them, only documented answers",
      measured: `${count(undocumented.length - outsideFailed.length)} undocumented of ${count(inside.length)}`,
      pass: undocumented.length === outsideFailed.length,
    },
    {
      name: "the kill landed mid-refresh",
      measured: `${abandoned} refreshes of the killed server in flight`,
      pass: !killed || abandoned > 0,
    },
  ];

  const lines = [
    `Soak, ${evidence.environment}`,
    "",
    "| | |",
    "|---|---|",
    `| setup | ${users.length} users on 2 servers, ${seconds(runMs)} of browsing (${plan.pauseMs.map((ms) => ms / 1000).join("–")} s between views), access tokens of ${plan.accessTokenTtlSeconds} s renewed in their last ${plan.refreshMarginSeconds} s, token timeout ${plan.tokenTimeoutMs / 1000} s |`,
    `| requests | ${count(requests.length)} (${count(requests.filter((r) => r.page === "/dashboard").length)} /dashboard, ${count(requests.filter((r) => r.page !== "/dashboard").length)} /dashboard/scenarios; ${count(requests.filter((r) => r.rerouted).length)} resent after a refused connection) |`,
    `| latency | p50 ${percentile(
      requests.map((r) => r.end - r.start),
      50,
    )} ms · p99 ${percentile(
      requests.map((r) => r.end - r.start),
      99,
    )} ms |`,
    `| answers | ${[...kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label} ${count(n)}`)
      .join(" · ")} |`,
    `| refresh grants | ${count(processed.length)} processed by Make, ${count(refreshTokens.filter((u) => u.outcome === "failure_switch").length)} answered by the 503 switch, ${count(refreshTokens.filter((u) => u.outcome === "abandoned").length)} never reached Make |`,
    ...windows.map(
      (window) =>
        `| fault: ${window.fault} | at ${seconds(window.start - evidence.began)}: ${window.detail}; window to ${seconds(window.recovered - evidence.began)}, documented there: ${[...window.allowed].join(", ")} |`,
    ),
    "",
    "| invariant | measured | |",
    "|---|---|---|",
    ...invariants.map((inv) => `| ${inv.name} | ${inv.measured} | ${inv.pass ? "pass" : "**FAIL**"} |`),
  ];
  const examples = undocumented
    .slice(0, 5)
    .map(
      (r) =>
        `  ${r.page} on ${r.server} at ${seconds(r.start - evidence.began)}: ${answerLabel(r.kind, r.reason)} (${r.end - r.start} ms)`,
    );
  if (examples.length) lines.push("", "Undocumented answers (first 5):", ...examples);
  if (inactive.length)
    lines.push("", `Not active at the end: ${inactive.map((row) => `${row.sub} ${row.state}`).join(", ")}`);
  return { invariants, table: lines.join("\n"), passed: invariants.every((inv) => inv.pass) };
}
