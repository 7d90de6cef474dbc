/**
 * Make's refresh answers as Make may send them (undocumented: the stand-in's switches pick each answer):
 * no id_token, the sign-in's original id_token, an expired one, the same refresh token again or none at
 * all. Over consecutive refreshes the connection must stay alive, the rotated refresh token must be kept,
 * and an id_token that fails the checks must be recorded, never cost the tokens. A missing `expires_in`
 * counts as Make's 300 s.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { discover, signInTokens } from "../support/make-code-flow";
import { loadAppModules, type AppModules } from "../support/app-modules";

let app: AppModules;
let userId: string;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const account = () => app.db.account.findFirstOrThrow({ where: { userId } });
const expireNow = () =>
  app.db.account.updateMany({ where: { userId }, data: { expires_at: nowSeconds() + 5 } });
const events = (kind: string) => app.db.connectionEvent.findMany({ where: { userId, kind } });

async function connect() {
  const tokens = await signInTokens(await discover(app.standIn), { client: "confidential" });
  const user = await app.db.user.create({ data: { name: "ada" } });
  await app.db.account.create({
    data: {
      userId: user.id,
      type: "oidc",
      provider: "make",
      providerAccountId: "1001",
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      id_token: tokens.id_token,
      expires_at: nowSeconds() + 300,
      token_type: tokens.token_type,
      clientType: "confidential",
    },
  });
  return user.id;
}

/** Renews twice in a row and checks after each that the new tokens were stored and work at Make. */
async function refreshTwice() {
  const stored: string[] = [];
  for (let round = 0; round < 2; round++) {
    const before = await account();
    await expireNow();
    const token = await app.tokens.getMakeAccessToken(userId);
    const after = await account();
    expect(after.state).toBe("active");
    expect(token.accessToken).not.toBe(before.access_token);
    expect(after.access_token).toBe(token.accessToken);
    expect(after.expires_at! - nowSeconds()).toBeGreaterThan(250);
    stored.push(after.refresh_token!);
  }
  // The token Make issued last still works: the next refresh would not present a spent one.
  const { MakeApi, grantedScopes } = await import("@/lib/make");
  expect(await grantedScopes(await MakeApi.forUser(userId))).toContain("user:read");
  return stored;
}

beforeAll(async () => {
  app = await loadAppModules();
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  app.standIn.controls.reset();
  await app.db.user.deleteMany();
  userId = await connect();
});

describe("refresh answers", () => {
  // First in the file: each fact is recorded the first time this process sees it.
  it("records what it observed of Make's refresh answers, once", async () => {
    app.standIn.controls.configure({ refreshIdToken: "none", refreshTokenRotation: "omitted" });
    await refreshTwice();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const facts = Object.fromEntries(
      (await app.db.makeObservation.findMany()).map((row) => [row.fact, row.value]),
    );
    expect(facts).toMatchObject({
      "refresh.expires_in": "300",
      "refresh.rotation": "omitted",
      "refresh.id_token": "absent",
    });
  });
  it.each(["none", "original", "expired", "other_iss", "other_aud"] as const)(
    "an id_token that is %s never costs the rotated refresh token, across two refreshes",
    async (refreshIdToken) => {
      app.standIn.controls.configure({ refreshIdToken });
      const refreshTokens = await refreshTwice();
      expect(new Set(refreshTokens).size).toBe(2);
      expect((await app.standIn.controls.stats()).grants.refresh_token).toBe(2);
      const rejected = await events("refresh_answer_rejected");
      if (["expired", "other_iss", "other_aud"].includes(refreshIdToken)) {
        expect(rejected).toHaveLength(2);
        expect(rejected[0]!.errorCode).toMatch(/^id_token /);
      } else expect(rejected).toHaveLength(0);
      expect(await events("refreshed")).toHaveLength(2);
    },
  );

  it("drops and revokes renewed tokens whose id_token names another Make user, and asks to reconnect", async () => {
    app.standIn.controls.configure({ refreshIdToken: "other_sub" });
    await expireNow();
    await expect(app.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({ reason: "reauth_required" });
    const after = await account();
    expect(after).toMatchObject({
      state: "reauth_required",
      lastError: "subject_changed",
      access_token: null,
      refresh_token: null,
    });
    expect(await events("reauth_required")).toEqual([
      expect.objectContaining({ errorCode: "subject_changed", detail: expect.stringContaining("another") }),
    ]);
    // Both tokens of that answer go to Make's revocation endpoint (queued first, then delivered).
    await expect
      .poll(() => app.standIn.controls.stats().revocations.map((entry) => entry.tokenTypeHint))
      .toEqual(["access_token", "refresh_token"]);
  });

  it.each(["same", "omitted"] as const)(
    "a refresh token that comes back %s keeps the connection across two refreshes",
    async (refreshTokenRotation) => {
      app.standIn.controls.configure({ refreshTokenRotation });
      const original = (await account()).refresh_token;
      const refreshTokens = await refreshTwice();
      expect(refreshTokens).toEqual([original, original]);
    },
  );
});

describe("a refresh answer without expires_in", () => {
  let server: Server;
  let issuer: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/.well-known/openid-configuration")) {
        res.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token` }));
      } else res.end(JSON.stringify({ access_token: "at-without-lifetime", token_type: "Bearer" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    issuer = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("counts as Make's documented 300 s, not an hour", async () => {
    const { refreshGrant } = await import("@/lib/make/connection/authorization-server");
    const tokens = await refreshGrant(
      { issuer, token_endpoint: `${issuer}/token` },
      "some-refresh-token",
      AbortSignal.timeout(5_000),
    );
    expect(tokens.expiresIn).toBe(300);
    expect(tokens.expiresAt - nowSeconds()).toBeGreaterThan(295);
    expect(tokens.expiresAt - nowSeconds()).toBeLessThanOrEqual(300);
  });
});
