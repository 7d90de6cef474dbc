/**
 * Refresh under load: /dashboard at concurrency 16 while the user's access token falls due several times.
 * The stand-in answers refresh grants after a set latency, so requests that arrive while a refresh is in
 * flight may have to wait for it. The contract: one refresh grant per expiry, no failed request, and those
 * requests' p99 under twice the stand-in's token latency.
 *
 * A request "arrived during a refresh" when it started between the moment the token was made due in the
 * database and the moment the stand-in finished answering that refresh grant. Its latency is split at
 * that answer, to tell waiting for Make from the work the app does after the refresh.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { MAKE_ROUTES } from "../make-stand-in/provider";
import { percentile, runLoad } from "./load";
import { dashboardIsHealthy } from "./page-cost";
import { makeTokenDue, type BenchStack } from "./stack";

export interface RefreshReport {
  expiries: number;
  tokenLatencyMs: number;
  concurrency: number;
  /** Refresh grants the stand-in received, per expiry. */
  grantsPerExpiry: number[];
  /** Userinfo requests the stand-in received, per expiry (a profile cache that loads once would send 1). */
  userinfoPerExpiry: number[];
  requests: number;
  failed: number;
  /** Requests that arrived during a refresh, and their latency. */
  during: number;
  duringP50: number;
  duringP99: number;
  /** Of those requests' latency, the p99 of the part after the stand-in answered the refresh grant. */
  afterAnswerP99: number;
}

export async function measureRefreshUnderLoad(
  stack: BenchStack,
  cookie: string,
  userId: string,
  options = { expiries: 5, spacingMs: 2_500, tokenLatencyMs: 200, concurrency: 16 },
): Promise<RefreshReport> {
  const url = `${stack.app.url}/dashboard`;
  const { controls } = stack.makeStandIn;
  controls.configure({ tokenLatencyMs: options.tokenLatencyMs });
  try {
    // One refresh outside the measurement, so the first measured one does not pay for loading its code.
    await makeTokenDue(stack, userId);
    await fetch(url, { headers: { cookie } }).then((response) => response.text());

    const dueAt: number[] = [];
    const grantsAt: number[] = [];
    const load = runLoad({
      url,
      headers: { cookie },
      concurrency: options.concurrency,
      durationMs: (options.expiries + 1) * options.spacingMs,
      check: dashboardIsHealthy,
    });
    for (let i = 0; i < options.expiries; i++) {
      await sleep(options.spacingMs);
      grantsAt.push(controls.stats().grants.refresh_token);
      dueAt.push(performance.now());
      await makeTokenDue(stack, userId);
    }
    const { samples } = await load;
    grantsAt.push(controls.stats().grants.refresh_token);

    const during: Array<{ total: number; afterAnswer: number }> = [];
    const userinfoPerExpiry: number[] = [];
    dueAt.forEach((from, i) => {
      const until = dueAt[i + 1] ?? Infinity;
      const served = stack.standIn.requests.filter(
        (request) => request.start >= from && request.start < until,
      );
      userinfoPerExpiry.push(served.filter((request) => request.path === MAKE_ROUTES.userinfo).length);
      const grant = served.find((request) => request.path === MAKE_ROUTES.token);
      const answered = grant?.end ?? from;
      for (const sample of samples) {
        if (sample.start < from || sample.start > answered) continue;
        during.push({ total: sample.end - sample.start, afterAnswer: sample.end - answered });
      }
    });
    return {
      expiries: options.expiries,
      tokenLatencyMs: options.tokenLatencyMs,
      concurrency: options.concurrency,
      grantsPerExpiry: dueAt.map((_, i) => grantsAt[i + 1]! - grantsAt[i]!),
      userinfoPerExpiry,
      requests: samples.length,
      failed: samples.filter((sample) => !sample.ok).length,
      during: during.length,
      duringP50: percentile(
        during.map((request) => request.total),
        50,
      ),
      duringP99: percentile(
        during.map((request) => request.total),
        99,
      ),
      afterAnswerP99: percentile(
        during.map((request) => request.afterAnswer),
        99,
      ),
    };
  } finally {
    controls.configure({ tokenLatencyMs: 0 });
  }
}
