import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STAND_IN_CLIENTS } from "@/make-stand-in/server";
import { discover, signInTokens } from "../support/make-code-flow";
import { loadAppModules, type AppModules } from "../support/app-modules";
import { testTuning } from "../support/test-tuning";

let app: AppModules;
let userId: string;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const account = () => app.db.account.findFirstOrThrow({ where: { userId } });
const grants = async () => (await app.standIn.controls.stats()).grants.refresh_token;

/** A signed-in user with real tokens from the stand-in, stored through the encrypted client. */
async function connect(login = "ada") {
  const as = await discover(app.standIn);
  const tokens = await signInTokens(as, { client: "confidential", login, nonce: "n" });
  const user = await app.db.user.create({ data: { name: login } });
  await app.db.account.create({
    data: {
      userId: user.id,
      type: "oidc",
      provider: "make",
      providerAccountId: login === "ada" ? "1001" : "1002",
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      id_token: tokens.id_token,
      expires_at: nowSeconds() + (tokens.expires_in ?? 3600),
      scope: tokens.scope,
      token_type: tokens.token_type,
      clientType: "confidential",
    },
  });
  return { userId: user.id, tokens };
}

/** Moves the stored expiry so the next call sees a token about to expire (or already expired). */
const expireIn = (seconds: number) =>
  app.db.account.updateMany({ where: { userId }, data: { expires_at: nowSeconds() + seconds } });

beforeAll(async () => {
  app = await loadAppModules({ env: testTuning({ TOKEN_TIMEOUT_MS: 800 }) });
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  app.standIn.controls.reset();
  await app.db.user.deleteMany();
  await app.db.pendingRevocation.deleteMany();
  ({ userId } = await connect());
});

describe("getMakeAccessToken", () => {
  it("hands out the stored token while it is fresh, without asking Make", async () => {
    const stored = await account();
    const token = await app.tokens.getMakeAccessToken(userId);
    expect(token.accessToken).toBe(stored.access_token);
    expect(await grants()).toBe(0);
  });

  it("makes exactly one token request for 50 concurrent callers after expiry", async () => {
    const before = await account();
    await expireIn(-10);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => app.tokens.getMakeAccessToken(userId)),
    );
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const tokens = new Set(
      results.map((result) => (result as PromiseFulfilledResult<{ accessToken: string }>).value.accessToken),
    );
    expect(tokens.size).toBe(1);
    expect(await grants()).toBe(1);
    const after = await account();
    expect(after.state).toBe("active");
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.access_token).toBe([...tokens][0]);
    expect(after.lastRefreshedAt).not.toBeNull();
  });

  it("refreshes a margin before expiry, with the rotated refresh token each time", async () => {
    for (let round = 1; round <= 3; round++) {
      await expireIn(30);
      await app.tokens.getMakeAccessToken(userId);
      expect(await grants()).toBe(round);
    }
    expect((await account()).state).toBe("active");
  });

  it("moves the account to reauth_required and deletes its tokens on invalid_grant", async () => {
    await expireIn(-1);
    app.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });
    await expect(app.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({ reason: "reauth_required" });
    const after = await account();
    expect(after).toMatchObject({
      state: "reauth_required",
      access_token: null,
      refresh_token: null,
      lastError: "invalid_grant",
    });
    await expect(app.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({ reason: "reauth_required" });
    expect(await grants()).toBe(1);
    expect(await app.db.user.count({ where: { id: userId } })).toBe(1);
  });

  it("keeps the current token on a 5xx, records the error and backs off", async () => {
    const stored = await account();
    await expireIn(30);
    app.standIn.controls.fail({ endpoint: "token", mode: "status", status: 503 });
    const token = await app.tokens.getMakeAccessToken(userId);
    expect(token.accessToken).toBe(stored.access_token);
    const after = await account();
    expect(after).toMatchObject({ state: "active", lastError: "http_503", refreshFailures: 1 });
    expect(after.nextRetryAt!.getTime()).toBeGreaterThan(Date.now());
    expect(after.refresh_token).toBe(stored.refresh_token);
    await app.tokens.getMakeAccessToken(userId);
    expect(await grants()).toBe(1);
  });

  it("cuts off a hanging token request and keeps the connection", async () => {
    const stored = await account();
    await expireIn(30);
    app.standIn.controls.fail({ endpoint: "token", mode: "hang" });
    const started = Date.now();
    const token = await app.tokens.getMakeAccessToken(userId);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(token.accessToken).toBe(stored.access_token);
    expect(await account()).toMatchObject({ state: "active", lastError: "timeout" });
  });

  it("says Make is unavailable when the token has expired and the refresh failed", async () => {
    await expireIn(-1);
    app.standIn.controls.fail({ endpoint: "token", mode: "status", status: 502 });
    await expect(app.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({ reason: "make_unavailable" });
    expect((await account()).state).toBe("active");
  });

  it("retries after the back-off and recovers", async () => {
    await expireIn(30);
    app.standIn.controls.fail({ endpoint: "token", mode: "status", status: 503, times: 1 });
    await app.tokens.getMakeAccessToken(userId);
    await app.db.account.updateMany({ where: { userId }, data: { nextRetryAt: new Date(Date.now() - 1) } });
    const token = await app.tokens.getMakeAccessToken(userId);
    expect(await account()).toMatchObject({
      state: "active",
      lastError: null,
      refreshFailures: 0,
      access_token: token.accessToken,
    });
    expect(await grants()).toBe(2);
  });

  it("records each refresh and failure in the activity log, without tokens", async () => {
    await expireIn(-1);
    await app.tokens.getMakeAccessToken(userId);
    const events = await app.db.connectionEvent.findMany({ where: { userId } });
    expect(events.map((event) => event.kind)).toContain("refreshed");
    const stored = await account();
    expect(JSON.stringify(events)).not.toContain(stored.access_token!);
  });
});

describe("a renewal whose answer is slow or lost", () => {
  it("stores the renewed token when Make answers after the callers stopped waiting", async () => {
    const stored = await account();
    await expireIn(30);
    // Callers wait TOKEN_TIMEOUT_MS (800 ms here); Make rotates the token and answers at 1.5 s.
    app.standIn.controls.configure({ tokenLatencyMs: 1_500 });
    const token = await app.tokens.getMakeAccessToken(userId);
    expect(token.accessToken).toBe(stored.access_token);

    await expect
      .poll(async () => (await account()).access_token, { timeout: 5_000 })
      .not.toBe(stored.access_token);
    await expect(app.tokens.getMakeAccessToken(userId)).resolves.toMatchObject({
      accessToken: (await account()).access_token,
    });
    expect(await account()).toMatchObject({ state: "active", lastError: null, refreshFailures: 0 });
    expect(await grants()).toBe(1);
  });

  it("waits longer after a renewal whose answer never came, and explains a following invalid_grant", async () => {
    await expireIn(30);
    app.standIn.controls.fail({ endpoint: "token", mode: "hang", times: 1 });
    await app.tokens.getMakeAccessToken(userId);
    await expect.poll(async () => (await account()).nextRetryAt, { timeout: 10_000 }).not.toBeNull();
    const failed = await account();
    expect(failed).toMatchObject({ state: "active", lastError: "timeout" });
    // A 503 is retried after 5 s; an answer that never came, after a minute at least.
    expect(failed.nextRetryAt!.getTime() - failed.lastErrorAt!.getTime()).toBeGreaterThanOrEqual(60_000);

    await app.db.account.updateMany({ where: { userId }, data: { nextRetryAt: new Date(Date.now() - 1) } });
    app.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });
    await expect(app.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({ reason: "reauth_required" });
    expect(await account()).toMatchObject({
      state: "reauth_required",
      lastError: "invalid_grant_after_timeout",
    });
    const explained = await app.db.connectionEvent.findFirstOrThrow({
      where: { userId, kind: "reauth_required" },
    });
    expect(explained).toMatchObject({ errorCode: "invalid_grant_after_timeout" });
    expect(explained.detail).toContain("got no answer from Make in time");
  });
});

describe("the refresh margin", () => {
  it("refreshes once, not on every call, when Make's tokens live shorter than the refresh margin", async () => {
    // REFRESH_MARGIN_SECONDS is 60; Make hands out tokens valid for 40 s.
    app.standIn.controls.configure({ accessTokenTtl: 40 });
    await expireIn(-1);
    const renewed = await app.tokens.getMakeAccessToken(userId);
    for (let call = 0; call < 5; call++) {
      expect((await app.tokens.getMakeAccessToken(userId)).accessToken).toBe(renewed.accessToken);
    }
    expect(await grants()).toBe(1);
  });
});

describe("renewRejectedAccessToken", () => {
  it("renews a token Make's API refused once, for any number of concurrent callers", async () => {
    const stored = await account();
    const renewed = await Promise.all(
      Array.from({ length: 20 }, () => app.tokens.renewRejectedAccessToken(userId, stored.access_token!)),
    );
    expect(new Set(renewed.map((token) => token.accessToken)).size).toBe(1);
    expect(renewed[0]!.accessToken).not.toBe(stored.access_token);
    expect(await grants()).toBe(1);
    expect(await account()).toMatchObject({ state: "active", access_token: renewed[0]!.accessToken });
  });

  it("hands out the current token without asking Make when the refused one was already replaced", async () => {
    const stored = await account();
    const renewed = await app.tokens.renewRejectedAccessToken(userId, stored.access_token!);
    const again = await app.tokens.renewRejectedAccessToken(userId, stored.access_token!);
    expect(again.accessToken).toBe(renewed.accessToken);
    expect(await grants()).toBe(1);
  });

  it("moves the account to reauth_required when Make answers invalid_grant", async () => {
    const stored = await account();
    app.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });
    await expect(app.tokens.renewRejectedAccessToken(userId, stored.access_token!)).rejects.toMatchObject({
      reason: "reauth_required",
    });
    expect(await account()).toMatchObject({ state: "reauth_required", access_token: null });
  });
});

/** Neither token works at Make any more: the API refuses the access token, the token endpoint the refresh token. */
async function expectDeadAtMake(stored: { access_token: string | null; refresh_token: string | null }) {
  const me = await fetch(`${app.standIn.url}/api/v2/users/me`, {
    headers: { authorization: `Bearer ${stored.access_token}` },
  });
  expect(me.status).toBe(401);
  const refresh = await fetch(`${app.standIn.url}/oauth/v2/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: stored.refresh_token!,
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      client_secret: STAND_IN_CLIENTS.confidential.clientSecret,
    }),
  });
  expect(((await refresh.json()) as { error?: string }).error).toBe("invalid_grant");
}

describe("revokeMakeConnection", () => {
  it("revokes both tokens at Make and deletes them", async () => {
    const stored = await account();
    const result = await app.revoke.revokeMakeConnection(userId);
    expect(result.confirmed).toBe(true);
    expect(await account()).toMatchObject({
      state: "revoked",
      access_token: null,
      refresh_token: null,
      id_token: null,
    });
    const revocations = (await app.standIn.controls.stats()).revocations;
    expect(revocations.map((entry) => entry.tokenTypeHint)).toEqual(["access_token", "refresh_token"]);
    expect(revocations[0]?.found).toBe(true);
    await expectDeadAtMake(stored);
  });

  it("revokes locally at once when Make is down, and delivers the revocation once Make is back", async () => {
    const stored = await account();
    app.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    const result = await app.revoke.revokeMakeConnection(userId);
    expect(result.confirmed).toBe(false);
    expect(await account()).toMatchObject({ state: "revoked", access_token: null, refresh_token: null });
    expect(await app.db.pendingRevocation.count({ where: { userId } })).toBe(2);

    app.standIn.controls.reset();
    await app.db.pendingRevocation.updateMany({
      where: { userId },
      data: { nextAttemptAt: new Date(Date.now() - 1) },
    });
    expect((await app.revoke.deliverPendingRevocations({ userId })).remaining).toBe(0);
    const delivered = (await app.standIn.controls.stats()).revocations;
    expect(delivered.map((entry) => entry.tokenTypeHint)).toEqual(["access_token", "refresh_token"]);
    await expectDeadAtMake(stored);
    expect(await app.db.pendingRevocation.count({ where: { userId } })).toBe(0);
  });

  it("never hands out a token after revocation", async () => {
    await app.revoke.revokeMakeConnection(userId);
    await expect(app.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({ reason: "revoked" });
  });
});
