/**
 * The stand-in's lifetimes are Make's documented ones: access token 300 s, authorization code 300 s,
 * refresh token 180 days. The clock is moved by faking `Date` (the stand-in runs in this process, so it
 * sees the same clock as the test).
 */
import * as oauth from "oauth4webapi";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "../../make-stand-in/server";
import {
  authorize,
  clientOf,
  discover,
  exchange,
  signInTokens,
  DEFAULT_REDIRECT_URI,
} from "../support/make-code-flow";

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const DAY = 86_400_000;

let standIn: MakeStandIn;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  standIn = await startMakeStandIn({ port: 0, quiet: true });
  as = await discover(standIn);
});
afterAll(async () => {
  await standIn?.close();
});
beforeEach(() => {
  standIn.controls.reset();
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
});
afterEach(() => {
  vi.useRealTimers();
});

const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

const me = (accessToken: string) =>
  fetch(new URL("/api/v2/users/me", standIn.issuer), { headers: { authorization: `Bearer ${accessToken}` } });

async function refresh(refreshToken: string) {
  const res = await fetch(as.token_endpoint!, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      client_secret: STAND_IN_CLIENTS.confidential.clientSecret,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The code exchange as a raw status and body. */
async function redeem(callback: URL, state: string) {
  const [client, auth] = clientOf("confidential");
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const res = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    auth,
    params,
    DEFAULT_REDIRECT_URI,
    oauth.nopkce,
    insecure,
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('lifetimes (Make\'s "Token expiration" page)', () => {
  it("gives access tokens of 300 s: accepted at 299 s, refused at 301 s", async () => {
    const tokens = await signInTokens(as, { client: "confidential" });
    expect(tokens.expires_in).toBe(300);
    later(299_000);
    expect((await me(tokens.access_token)).status).toBe(200);
    later(2_000);
    expect((await me(tokens.access_token)).status).toBe(401);
  });

  it("accepts an authorization code for 300 s and refuses it after", async () => {
    const fresh = await authorize(as, { client: "confidential" });
    const stale = await authorize(as, { client: "confidential" });
    later(290_000);
    expect((await exchange(as, fresh, "confidential")).access_token).toEqual(expect.any(String));
    later(11_000);
    expect(await redeem(stale.callback, stale.state)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
  });

  it("keeps a refresh token for 180 days and refuses it after", async () => {
    const young = await signInTokens(as, { client: "confidential" });
    const old = await signInTokens(as, { client: "confidential" });
    later(179 * DAY);
    expect((await refresh(young.refresh_token!)).status).toBe(200);
    later(2 * DAY);
    expect(await refresh(old.refresh_token!)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
  });

  it("still serves public clients (`none`) and refresh grants, which Make documents outside discovery", async () => {
    expect(as.token_endpoint_auth_methods_supported).toEqual(["client_secret_post"]);
    expect(as.grant_types_supported).toEqual(["authorization_code"]);
    const pkce = await signInTokens(as, { client: "public", pkce: true });
    expect((await me(pkce.access_token)).status).toBe(200);
    const confidential = await signInTokens(as, { client: "confidential" });
    expect((await refresh(confidential.refresh_token!)).status).toBe(200);
  });
});
