/**
 * One soak: the stack, the users signed in, their browsing for `plan.runSeconds` with the faults at their
 * times, and the verdict. Shared by `npm run soak` (bench/soak.ts) and tests/e2e/soak.test.ts.
 */
import {
  dropDatabase,
  failThenSlowMake,
  killMidRefresh,
  type FaultWindow,
  type SoakPlan,
} from "./soak-faults";
import { judgeSoak, type SoakReport } from "./soak-report";
import { startSoakStack } from "./soak-stack";
import { browse, signInUsers } from "./soak-users";
import { testTuning } from "../tests/support/test-tuning";

export interface SoakTarget {
  /** The production build to serve. */
  distDir: string;
  /** A migrated, empty database. */
  databaseUrl: string;
  environment: string;
  /** Servers (by index) run as serverless instances (`npm run soak -- --serverless`: both). */
  serverless?: number[];
}

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

export async function runSoak(
  target: SoakTarget,
  plan: SoakPlan,
  log: (line: string) => void,
): Promise<SoakReport> {
  const stack = await startSoakStack({
    distDir: target.distDir,
    databaseUrl: target.databaseUrl,
    accessTokenTtlSeconds: plan.accessTokenTtlSeconds,
    serverless: target.serverless,
    env: testTuning({
      REFRESH_MARGIN_SECONDS: plan.refreshMarginSeconds,
      TOKEN_TIMEOUT_MS: plan.tokenTimeoutMs,
    }),
  });
  try {
    // The organization all of them share would otherwise spend Make's per-organization budget in seconds.
    // Set before the sign-ins too: each one opens the dashboard, where the app learns the plan's limit.
    const largePlan = () => stack.standIn.controls.configure({ apiBudget: 1_000_000 });
    largePlan();
    log(`servers ${stack.servers.map((server) => server.url).join(", ")}; signing in ${plan.users} users`);
    const users = await signInUsers(stack, plan.users, log);
    // Users signed in seconds apart would renew in lockstep, every wave missing or hitting a fault as one:
    // their tokens' expiry is spread over one lifetime, as if they had signed in at different moments.
    await stack.query(
      `UPDATE "Account" SET expires_at = extract(epoch FROM now())::integer + 1 + floor(random() * $1)::integer`,
      [plan.accessTokenTtlSeconds],
    );
    stack.standIn.controls.reset();
    largePlan();

    const began = Date.now();
    const at = (seconds: number) => began + seconds * 1000;
    const browsing = browse(stack, users, { until: at(plan.runSeconds), pauseMs: plan.pauseMs });
    log(`browsing for ${plan.runSeconds} s`);
    // Each fault at its own time, whether or not the one before has recovered.
    const windows: FaultWindow[] = await Promise.all(
      [
        { at: plan.killAt, name: "SIGKILL of server A mid-refresh", run: killMidRefresh },
        { at: plan.databaseDropAt, name: "database connections dropped", run: dropDatabase },
        { at: plan.makeFailsAt, name: "Make's token endpoint 503, then slow", run: failThenSlowMake },
      ].map(async (fault) => {
        await sleepUntil(at(fault.at));
        log(fault.name);
        return fault.run(stack, plan);
      }),
    );
    const requests = await browsing.done;
    const ended = Date.now();
    log(`browsing done: ${requests.length} requests`);

    const finalStates = await stack.query<{ sub: string; state: string; hasRefreshToken: boolean }>(
      `SELECT "providerAccountId" AS sub, state, refresh_token IS NOT NULL AS "hasRefreshToken"
       FROM "Account" WHERE provider = 'make'`,
    );
    const report = judgeSoak({
      plan,
      environment: target.environment,
      users,
      requests,
      windows,
      refreshTokens: stack.standIn.controls.stats().refreshTokens,
      began,
      ended,
      finalStates,
    });
    if (!report.passed) {
      for (const request of requests.filter((r) => r.body).slice(0, 3))
        log(`an answer of kind other (${request.reason}):\n${request.body}`);
      for (const server of stack.servers)
        log(`server ${server.name} log tail:\n${server.output().slice(-3000)}`);
    }
    return report;
  } finally {
    await stack.close();
  }
}
