/**
 * The stand-in's switches for what Make does not document: each one picks one possible answer, so the app
 * can be tested against every answer. Defaults are asserted in make-stand-in.test.ts.
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "../../make-stand-in/server";
import {
  CookieJar,
  DEFAULT_REDIRECT_URI,
  authorize,
  clientOf,
  discover,
  formAction,
  signInTokens,
} from "../support/make-code-flow";

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const OTHER_REDIRECT_URI = "http://127.0.0.1:3000/api/auth/callback/make";
const ALL = "openid user:read organizations:read teams:read scenarios:read";

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
});

const signIn = (scope = ALL) => signInTokens(as, { client: "confidential", scope });

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

async function revoke(token: string, hint: "access_token" | "refresh_token") {
  const res = await fetch(as.revocation_endpoint!, {
    method: "POST",
    body: new URLSearchParams({
      token,
      token_type_hint: hint,
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      client_secret: STAND_IN_CLIENTS.confidential.clientSecret,
    }),
  });
  return { status: res.status, text: await res.text() };
}

const api = (origin: string, path: string, accessToken: string) =>
  fetch(`${origin}/api/v2${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
const inZone = (slot: 0 | 1, path: string, accessToken: string) =>
  api(`http://${standIn.zones[slot]}`, path, accessToken);

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;

describe("refresh answers", () => {
  it("carry a new id_token by default, none with `refreshIdToken: none`", async () => {
    const tokens = await signIn();
    expect((await refresh(tokens.refresh_token!)).body.id_token).toEqual(expect.any(String));
    standIn.controls.configure({ refreshIdToken: "none" });
    const again = await signIn();
    const bare = await refresh(again.refresh_token!);
    expect(bare.status).toBe(200);
    expect(bare.body).not.toHaveProperty("id_token");
    expect(bare.body.access_token).toEqual(expect.any(String));
  });

  it("carry the sign-in's own id_token with `refreshIdToken: original`", async () => {
    standIn.controls.configure({ refreshIdToken: "original" });
    const tokens = await signIn();
    const first = await refresh(tokens.refresh_token!);
    const second = await refresh(String(first.body.refresh_token));
    expect([first.body.id_token, second.body.id_token]).toEqual([tokens.id_token, tokens.id_token]);
  });

  it("carry an id_token that expired an hour ago with `refreshIdToken: expired`", async () => {
    standIn.controls.configure({ refreshIdToken: "expired" });
    const tokens = await signIn();
    const { body } = await refresh(tokens.refresh_token!);
    const claims = claimsOf(String(body.id_token));
    expect(claims.exp).toBeLessThan(Date.now() / 1000 - 3000);
    expect(claims.sub).toBe("1001");
  });

  it("repeat the same refresh token with `refreshTokenRotation: same`, and it keeps working", async () => {
    standIn.controls.configure({ refreshTokenRotation: "same" });
    const tokens = await signIn();
    const first = await refresh(tokens.refresh_token!);
    expect(first.body.refresh_token).toBe(tokens.refresh_token);
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });

  it("carry no refresh_token with `refreshTokenRotation: omitted`, and the old one keeps working", async () => {
    standIn.controls.configure({ refreshTokenRotation: "omitted" });
    const tokens = await signIn();
    const first = await refresh(tokens.refresh_token!);
    expect(first.status).toBe(200);
    expect(first.body).not.toHaveProperty("refresh_token");
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });
});

describe("revocation answers", () => {
  it("answer 200 by default and 204 with `revocationAnswer: 204`, revoking either way", async () => {
    const tokens = await signIn();
    expect((await revoke(tokens.access_token, "access_token")).status).toBe(200);
    standIn.controls.configure({ revocationAnswer: "204" });
    const other = await signIn();
    expect(await revoke(other.access_token, "access_token")).toEqual({ status: 204, text: "" });
    expect((await inZone(0, "/users/me", other.access_token)).status).toBe(401);
  });

  it("refuse access tokens with `unsupported_token_type` (leaving them valid) but revoke refresh tokens", async () => {
    standIn.controls.configure({ revocationAnswer: "unsupported_token_type" });
    const tokens = await signIn();
    const refused = await revoke(tokens.access_token, "access_token");
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({ error: "unsupported_token_type" });
    expect((await inZone(0, "/users/me", tokens.access_token)).status).toBe(200);
    expect((await revoke(tokens.refresh_token!, "refresh_token")).status).toBe(200);
    expect((await refresh(tokens.refresh_token!)).body.error).toBe("invalid_grant");
  });
});

describe("zones", () => {
  it("answer 401 to every token in a zone listed in `rejectingZones`, and only there", async () => {
    const tokens = await signIn();
    standIn.controls.configure({ rejectingZones: [standIn.zones[1]!] });
    const rejected = await inZone(1, "/teams?organizationId=5011", tokens.access_token);
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toMatchObject({ code: "SC401" });
    expect((await inZone(0, "/teams?organizationId=5001", tokens.access_token)).status).toBe(200);
  });
});

describe("organization-bound consent", () => {
  /** Through login and consent, ticking the organization `organizationId` on the consent page. */
  async function consentTo(organizationId: string) {
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      response_type: "code",
      redirect_uri: DEFAULT_REDIRECT_URI,
      scope: ALL,
      state,
    }).toString();
    const jar = new CookieJar();
    let current = url;
    let res = await jar.fetch(current);
    let consentHtml = "";
    for (let step = 0; step < 12 && !res.headers.get("location")?.startsWith(DEFAULT_REDIRECT_URI); step++) {
      if (res.status === 302 || res.status === 303) {
        current = new URL(res.headers.get("location")!, current);
        res = await jar.fetch(current);
        continue;
      }
      const html = await res.text();
      const form = html.includes('name="password"')
        ? new URLSearchParams({ login: "ada", password: "password" })
        : new URLSearchParams({ decision: "allow", organizationId });
      if (!html.includes('name="password"')) consentHtml = html;
      res = await jar.fetch(formAction(html, current), { method: "POST", body: form });
    }
    const [client, auth] = clientOf("confidential");
    const params = oauth.validateAuthResponse(as, client, new URL(res.headers.get("location")!), state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        params,
        DEFAULT_REDIRECT_URI,
        oauth.nopkce,
        insecure,
      ),
    );
    return { tokens, consentHtml };
  }

  it("asks for one organization; calls about the user's other organizations answer 403", async () => {
    standIn.controls.configure({ organizationBoundConsent: true });
    const { tokens, consentHtml } = await consentTo("5011");
    expect(consentHtml).toContain('name="organizationId" value="5001"');
    expect(consentHtml).toContain('name="organizationId" value="5011"');
    expect((await inZone(1, "/teams?organizationId=5011", tokens.access_token)).status).toBe(200);
    const other = await inZone(0, "/teams?organizationId=5001", tokens.access_token);
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({
      detail: "Access denied.",
      message: "Permission denied",
      code: "SC403",
    });
    // The user-level calls are not about an organization.
    expect((await inZone(0, "/organizations", tokens.access_token)).status).toBe(200);
  });

  it("binds a consent form without an organization to the user's first one; off, the grant reaches all", async () => {
    const unbound = await signIn();
    standIn.controls.configure({ organizationBoundConsent: true });
    const bound = await signIn();
    expect((await inZone(0, "/teams?organizationId=5001", bound.access_token)).status).toBe(200);
    expect((await inZone(1, "/teams?organizationId=5011", bound.access_token)).status).toBe(403);
    expect((await inZone(1, "/teams?organizationId=5011", unbound.access_token)).status).toBe(200);
  });
});

describe("client registration", () => {
  it("answers `invalid_scope` for a scope outside the client's `registeredScopes`", async () => {
    standIn.controls.configure({
      registeredScopes: { [STAND_IN_CLIENTS.confidential.clientId]: ["user:read", "organizations:read"] },
    });
    const refused = await authorize(as, { client: "confidential", scope: "openid user:read scenarios:read" });
    expect(refused.callback.searchParams.get("error")).toBe("invalid_scope");
    const allowed = await signInTokens(as, { client: "confidential", scope: "openid user:read" });
    expect(allowed.access_token).toEqual(expect.any(String));
    // Other clients are not affected.
    expect((await signInTokens(as, { client: "public", pkce: true, scope: ALL })).access_token).toEqual(
      expect.any(String),
    );
  });

  it("accepts only the first redirect URI with `singleRedirectUri`", async () => {
    expect((await authorize(as, { client: "confidential" }, OTHER_REDIRECT_URI)).callback.href).toMatch(
      /^http:\/\/127\.0\.0\.1:3000\//,
    );
    await fetch(new URL("/__stand-in/config", standIn.url), {
      method: "POST",
      body: JSON.stringify({ singleRedirectUri: true }),
    });
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      response_type: "code",
      redirect_uri: OTHER_REDIRECT_URI,
      scope: "openid",
      state: "s",
    }).toString();
    const refused = await fetch(url, { redirect: "manual" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("redirect_uri");
    expect((await authorize(as, { client: "confidential" })).callback.searchParams.get("code")).toEqual(
      expect.any(String),
    );
  });
});

describe("the HTTP control API", () => {
  it("sets the new switches and refuses values they do not have", async () => {
    const set = await fetch(new URL("/__stand-in/config", standIn.url), {
      method: "POST",
      body: JSON.stringify({
        refreshIdToken: "none",
        strictSortBy: true,
        apiBudgetByOrganization: { "5001": 120 },
      }),
    });
    expect(await set.json()).toMatchObject({ refreshIdToken: "none", strictSortBy: true });
    const refused = await fetch(new URL("/__stand-in/config", standIn.url), {
      method: "POST",
      body: JSON.stringify({ revocationAnswer: "418" }),
    });
    expect(refused.status).toBe(400);
  });
});
