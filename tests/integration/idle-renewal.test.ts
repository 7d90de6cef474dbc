/**
 * Connections kept alive without visits: the cron job's renewal of connections nobody used for
 * RENEW_IDLE_AFTER_DAYS, through the same lease as every other refresh. Separate copies of the
 * modules stand for the cron function and a server process handling the user's request.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionPanel } from "@/components/make/connection-panel";
import { discover, signInTokens } from "../support/make-code-flow";
import { storeConnectedAccount } from "../support/connected-account";
import { startSharedBackends, type SharedBackends, type TokenModules } from "../support/token-module-copies";
import { testTuning } from "../support/test-tuning";

let backends: SharedBackends;
let cron: TokenModules;
let server: TokenModules;

const DAY_MS = 86_400_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const refreshGrants = () => backends.standIn.controls.stats().grants.refresh_token;
const account = (userId: string) => cron.db.account.findFirstOrThrow({ where: { userId } });
const events = (userId: string) =>
  cron.db.connectionEvent.findMany({ where: { userId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

/** A connection (Ada's) last refreshed `idleDays` ago; its access token expired long ago, as it would have. */
async function connectIdle(idleDays: number, login = "ada", sub = "1001") {
  const tokens = await signInTokens(await discover(backends.standIn), {
    client: "confidential",
    login,
    nonce: "n",
  });
  const userId = await storeConnectedAccount(cron.db, tokens, nowSeconds() - idleDays * 86_400, sub);
  const lastUsed = new Date(Date.now() - idleDays * DAY_MS);
  await cron.db.account.updateMany({
    where: { userId },
    data: { connectedAt: lastUsed, lastRefreshedAt: lastUsed },
  });
  return { userId, tokens };
}

beforeAll(async () => {
  backends = await startSharedBackends();
  cron = await backends.load();
  server = await backends.load();
});
afterAll(async () => {
  await backends?.close();
});
beforeEach(async () => {
  backends.standIn.controls.reset();
  await cron.db.user.deleteMany();
  await cron.db.pendingRevocation.deleteMany();
});

describe("idle connections kept alive by the cron job", () => {
  it("refreshes a connection idle for longer than the configured age and records it in the activity", async () => {
    const { userId, tokens } = await connectIdle(40);

    const report = await cron.maintenance.renewIdleConnections();

    expect(report).toEqual({ renewed: 1, pending: 0, reauthRequired: 0, failed: 0, remaining: 0 });
    expect(refreshGrants()).toBe(1);
    const renewed = await account(userId);
    expect(renewed.state).toBe("active");
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
    expect(renewed.lastRefreshedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await events(userId)).map((event) => [event.kind, event.outcome])).toEqual([
      ["refreshed", "ok"],
      ["kept_alive", "ok"],
    ]);
    // The job's own next run finds nothing to do.
    expect(await cron.maintenance.renewIdleConnections()).toMatchObject({ renewed: 0, remaining: 0 });
    expect(refreshGrants()).toBe(1);
  });

  it("leaves a connection used within the configured age alone", async () => {
    const { userId } = await connectIdle(29);
    expect(await cron.maintenance.renewIdleConnections()).toEqual({
      renewed: 0,
      pending: 0,
      reauthRequired: 0,
      failed: 0,
      remaining: 0,
    });
    expect(refreshGrants()).toBe(0);
    expect(await events(userId)).toEqual([]);
  });

  it("makes one grant when a user's request races the job, and both get the renewed token", async () => {
    const { userId, tokens } = await connectIdle(40);
    // Make answers slowly, so the request and the job are both inside the refresh at the same time.
    backends.standIn.controls.configure({ tokenLatencyMs: 500 });

    const [report, handedOut] = await Promise.all([
      cron.maintenance.renewIdleConnections(),
      server.tokens.getMakeAccessToken(userId),
    ]);

    expect(refreshGrants()).toBe(1);
    expect(report).toMatchObject({ reauthRequired: 0, failed: 0, remaining: 0 });
    expect(handedOut.accessToken).not.toBe(tokens.access_token);
    expect((await account(userId)).access_token).toBe(handedOut.accessToken);
  });

  it("turns a grant Make has ended into reauth_required, with the reason in the activity and on the dashboard", async () => {
    const { userId } = await connectIdle(40);
    backends.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });

    const report = await cron.maintenance.renewIdleConnections();

    expect(report).toEqual({ renewed: 0, pending: 0, reauthRequired: 1, failed: 0, remaining: 0 });
    const dead = await account(userId);
    expect(dead).toMatchObject({ state: "reauth_required", lastError: "invalid_grant", refresh_token: null });
    expect((await events(userId)).map((event) => [event.kind, event.errorCode])).toEqual([
      ["reauth_required", "invalid_grant"],
      ["kept_alive", "reauth_required"],
    ]);
    // What the user's next visit shows: the panel names the reason, not just "reconnect".
    const { connectionStatus } = await import("@/lib/make/connection/status");
    const { status } = await connectionStatus(userId);
    const panel = renderToStaticMarkup(createElement(ConnectionPanel, { status, grantedScopes: [] }));
    expect(panel).toContain('data-connection-state="reauth_required"');
    expect(panel).toMatch(/data-status="reauth-reason"[^>]*>Why: Make refused to renew it.*invalid_grant/);
  });

  it("keeps a connection whose renewal failed for now among the remaining ones, for the next run", async () => {
    const { userId } = await connectIdle(40);
    backends.standIn.controls.fail({ endpoint: "token", mode: "status", status: 503 });

    const report = await cron.maintenance.renewIdleConnections();

    expect(report).toEqual({ renewed: 0, pending: 0, reauthRequired: 0, failed: 1, remaining: 1 });
    expect((await account(userId)).state).toBe("active");
    // Backing off: the failed connection is due again once its retry time has passed.
    await cron.db.account.updateMany({ where: { userId }, data: { nextRetryAt: new Date(Date.now() - 1) } });
    backends.standIn.controls.reset();
    expect(await cron.maintenance.renewIdleConnections()).toMatchObject({ renewed: 1, remaining: 0 });
  });

  it("starts a renewal only while its whole lease fits in the run, and reports one Make has not answered as pending", async () => {
    const timeLimited = await backends.load({ env: testTuning({ TOKEN_TIMEOUT_MS: 1000 }) });
    const first = await connectIdle(41);
    const second = await connectIdle(40, "sub-only", "1002");
    // Make answers after the callers' patience (1 s): the first renewal is still in flight when reported.
    backends.standIn.controls.configure({ tokenLatencyMs: 1_500 });

    // Room for one lease and a little more: after the first renewal's patience, a second would not fit.
    const endsBy = performance.now() + timeLimited.tokens.leaseMs() + 500;
    const report = await timeLimited.maintenance.renewIdleConnections(endsBy);

    expect(report).toEqual({ renewed: 0, pending: 1, reauthRequired: 0, failed: 0, remaining: 2 });
    expect(refreshGrants()).toBe(1);
    // Nothing is left half done: the pending renewal ends, stored, before its lease (and the run) would.
    await timeLimited.background.settleBackgroundWork();
    const renewed = await account(first.userId);
    expect(renewed).toMatchObject({ state: "active", refreshLeaseId: null, lastError: null });
    expect(renewed.refresh_token).not.toBe(first.tokens.refresh_token);
    expect(performance.now()).toBeLessThan(endsBy);
    const untouched = await account(second.userId);
    expect(untouched).toMatchObject({
      state: "active",
      refreshLeaseId: null,
      refresh_token: second.tokens.refresh_token,
    });
    expect(refreshGrants()).toBe(1);
  });
});
