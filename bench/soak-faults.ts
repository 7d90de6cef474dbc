/**
 * The soak's plan (how many users, how long, which fault when) and the faults themselves: an app server
 * killed with SIGKILL while its refreshes are on their way to Make, then started again; the database
 * connections dropped; Make's token endpoint answering 503 for a while, then slowly. Each fault returns
 * its window: from its start until the system has had the time the refresh protocol needs to recover,
 * and the answers that are documented inside it (soak-users.ts names them).
 */
import type { SoakStack } from "./soak-stack";
import type { AnswerKind } from "./soak-users";

export interface SoakPlan {
  users: number;
  /** How long the users browse. */
  runSeconds: number;
  /** Pause between one user's views. */
  pauseMs: [number, number];
  accessTokenTtlSeconds: number;
  refreshMarginSeconds: number;
  /** TOKEN_TIMEOUT_MS of both servers (T of lib/make/connection/refresh.ts). */
  tokenTimeoutMs: number;
  /** Seconds into the run. */
  killAt: number;
  /** Seconds the killed server stays down. */
  killedForSeconds: number;
  databaseDropAt: number;
  databaseDownMs: number;
  makeFailsAt: number;
  makeFailsForSeconds: number;
  makeSlowForSeconds: number;
  /** Well under the refresh request's own timeout (3T), so every slow answer still arrives. */
  makeSlowLatencyMs: number;
}

/**
 * `npm run soak`. Tokens live 20 s and are renewed in their last 5 s; the token timeout is halved with
 * them (the default, 10 s, is half such a token's life), but not so far that a busy machine makes calls
 * to the stand-in time out.
 */
export const FULL_PLAN: SoakPlan = {
  users: 100,
  runSeconds: 240,
  pauseMs: [2_000, 6_000],
  accessTokenTtlSeconds: 20,
  refreshMarginSeconds: 5,
  tokenTimeoutMs: 5_000,
  killAt: 30,
  killedForSeconds: 8,
  databaseDropAt: 85,
  databaseDownMs: 2_000,
  makeFailsAt: 110,
  makeFailsForSeconds: 20,
  makeSlowForSeconds: 20,
  makeSlowLatencyMs: 4_000,
};

/** tests/e2e/soak.test.ts: the same faults in a minute and a half, with fewer users. */
export const SHORT_PLAN: SoakPlan = {
  ...FULL_PLAN,
  users: 20,
  runSeconds: 90,
  pauseMs: [1_000, 4_000],
  killAt: 5,
  killedForSeconds: 5,
  databaseDropAt: 14,
  databaseDownMs: 1_500,
  makeFailsAt: 20,
  makeFailsForSeconds: 8,
  makeSlowForSeconds: 8,
};

export interface FaultWindow {
  fault: "kill" | "database" | "make";
  /** Epoch milliseconds: the fault's start, its end, and the end of the time allowed to recover. */
  start: number;
  end: number;
  recovered: number;
  /** Answers documented inside the window, as `kind` or `kind:reason`. */
  allowed: ReadonlySet<string>;
  /** What the fault did, for the report. */
  detail: string;
  /** Only for `kill`: the server killed (its cut requests are documented, nobody else's), and when. */
  server?: string;
  killedAt?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BUSY_OR_UNAVAILABLE = ["degraded:make_unavailable", "degraded:refresh_busy"];
/** A waiter gives up after 2T (lib/make/connection/refresh.ts); then the user's next view comes at most a pause later. */
const settleMs = (plan: SoakPlan) => 2 * plan.tokenTimeoutMs + plan.pauseMs[1] + 2_000;
/** How long token requests take to reach Make around the kill: longer than the kill takes to set up. */
const KILL_LATENCY_MS = 5_000;

export const answerLabel = (kind: AnswerKind, reason?: string) => (reason ? `${kind}:${reason}` : kind);

/**
 * Kills server A while refreshes it sent are on their way to Make. The load balancer first sends every
 * view to A, and once B has answered its last one, Make's token latency goes up: from then on every refresh
 * that arrives is A's and waits at Make's door. At the first one A gets SIGKILL, after those requests left
 * A and before Make processed any of them. A's leases stay in the database until they expire; server B
 * must wait for them, not refresh over them.
 */
export async function killMidRefresh(stack: SoakStack, plan: SoakPlan): Promise<FaultWindow> {
  const [victim, survivor] = stack.servers as [(typeof stack.servers)[0], (typeof stack.servers)[0]];
  const { controls } = stack.standIn;
  const arrivals = () => controls.stats().grants.refresh_token;
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    survivor.up = false;
    const drainedBy = Date.now() + 15_000;
    while (survivor.inFlight > 0 && Date.now() < drainedBy) await sleep(50);
    controls.configure({ tokenLatencyMs: KILL_LATENCY_MS });
    await sleep(1_000); // a refresh A sent just before has been answered and written
    const before = arrivals();
    const waitUntil = Date.now() + KILL_LATENCY_MS - 2_000;
    while (Date.now() < waitUntil && arrivals() === before) await sleep(50);
    if (arrivals() > before || attempt === 5) break;
    survivor.up = true;
    controls.configure({ tokenLatencyMs: 0 });
    await sleep(KILL_LATENCY_MS);
  }
  const [lease] = await stack.query<{ remaining_ms: number | null }>(
    `SELECT extract(epoch FROM max("refreshLeaseUntil") - (now() AT TIME ZONE 'UTC')) * 1000 AS remaining_ms
     FROM "Account"`,
  );
  const killedAt = Date.now();
  victim.kill();
  survivor.up = true;
  controls.configure({ tokenLatencyMs: 0 });
  await sleep(plan.killedForSeconds * 1000);
  await victim.restart();
  const end = Date.now();
  const leaseEnds = killedAt + Math.max(0, Number(lease?.remaining_ms ?? 0));
  const abandoned = controls
    .stats()
    .refreshTokens.filter((use) => use.outcome === "abandoned" && use.at >= killedAt).length;
  return {
    fault: "kill",
    start,
    end,
    recovered: Math.max(end, leaseEnds) + settleMs(plan),
    allowed: new Set([...BUSY_OR_UNAVAILABLE, "cut"]),
    server: victim.name,
    killedAt,
    detail: `SIGKILL at ${((killedAt - start) / 1000).toFixed(1)} s with ${abandoned} refreshes on their way to Make (never processed), restarted after ${plan.killedForSeconds} s; last lease ran ${((leaseEnds - killedAt) / 1000).toFixed(0)} s more`,
  };
}

/** Drops every database connection of both servers and refuses new ones for `databaseDownMs`. */
export async function dropDatabase(stack: SoakStack, plan: SoakPlan): Promise<FaultWindow> {
  const start = Date.now();
  await stack.database.cut();
  await sleep(plan.databaseDownMs);
  await stack.database.restore();
  const end = Date.now();
  // pg's pool waits up to 5 s for a connection (lib/db/index.ts), so a request queued in the outage ends then.
  return {
    fault: "database",
    start,
    end,
    recovered: end + 5_000 + settleMs(plan),
    // The page's Make parts say "Make did not answer" (make_error) or "something went wrong" (error) when
    // the database failed under them; the rest of the page needs the database and fails as a whole.
    allowed: new Set(["error_page", "degraded:make_error", "degraded:error", ...BUSY_OR_UNAVAILABLE]),
    detail: `every connection dropped, new ones refused for ${(plan.databaseDownMs / 1000).toFixed(1)} s`,
  };
}

/** Make's token endpoint answers 503 for a while, then answers every refresh only after a delay. */
export async function failThenSlowMake(stack: SoakStack, plan: SoakPlan): Promise<FaultWindow> {
  const { controls } = stack.standIn;
  const start = Date.now();
  controls.fail({ endpoint: "token", mode: "status", status: 503 });
  await sleep(plan.makeFailsForSeconds * 1000);
  controls.fail({ endpoint: "token", mode: "off" });
  controls.configure({ tokenLatencyMs: plan.makeSlowLatencyMs });
  await sleep(plan.makeSlowForSeconds * 1000);
  controls.configure({ tokenLatencyMs: 0 });
  const end = Date.now();
  return {
    fault: "make",
    start,
    end,
    recovered: end + longestBackoffMs(plan.makeFailsForSeconds) + settleMs(plan),
    allowed: new Set(BUSY_OR_UNAVAILABLE),
    detail: `token endpoint 503 for ${plan.makeFailsForSeconds} s, then ${plan.makeSlowLatencyMs / 1000} s per answer for ${plan.makeSlowForSeconds} s`,
  };
}

/**
 * The longest a connection can wait for its next attempt once a 503 spell of `seconds` is over:
 * failures back off 5 s, 10 s, 20 s… (lib/make/connection/refresh.ts), so n failures fit in 5 × (2^(n−1) − 1) s.
 */
export function longestBackoffMs(seconds: number): number {
  let failures = 1;
  while (5 * (2 ** failures - 1) <= seconds) failures++;
  return 5_000 * 2 ** (failures - 1);
}
