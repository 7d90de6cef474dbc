/**
 * The local Make stand-in, driven like a real client would drive Make: discovery, the code flow through the
 * login and consent pages (followed by hand with a tiny cookie jar, no browser), token refresh and revocation,
 * userinfo, the Make REST endpoints, and the test switches.
 */
import { createPublicKey, verify } from "node:crypto";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  FOREIGN_AUDIENCE,
  FOREIGN_ISSUER,
  ID_TOKEN_TAMPERS,
  OTHER_SUB,
  type IdTokenTamper,
} from "../../make-stand-in/id-token-tamper";
import { defaultConfig } from "../../make-stand-in/config";
import {
  SHARED_ORGANIZATION_ID,
  STAND_IN_CLIENTS,
  startMakeStandIn,
  type MakeStandIn,
} from "../../make-stand-in/server";
import {
  CookieJar,
  DEFAULT_REDIRECT_URI as REDIRECT_URI,
  authorize as authorizeFlow,
  clientOf,
  formAction,
  exchange as exchangeCode,
  signInTokens,
  type ClientKind,
  type Flow,
  type FlowOptions,
} from "../support/make-code-flow";

const insecure = { [oauth.allowInsecureRequests]: true } as const;

let standIn: MakeStandIn;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  standIn = await startMakeStandIn({ port: 0, quiet: true });
  const issuer = new URL(standIn.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
});

afterAll(async () => {
  await standIn?.close();
});

beforeEach(() => {
  standIn.controls.reset();
});

const authorize = (options: FlowOptions) => authorizeFlow(as, options);
const exchange = (flow: Flow, kind: ClientKind) => exchangeCode(as, flow, kind);
const signIn = (options: FlowOptions) => signInTokens(as, options);

/** A raw refresh request, so error answers can be asserted as they are. */
async function refresh(refreshToken: string, kind: ClientKind = "confidential") {
  const body = new URLSearchParams({
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: clientOf(kind)[0].client_id,
  });
  if (kind === "confidential") body.set("client_secret", STAND_IN_CLIENTS.confidential.clientSecret);
  const res = await fetch(as.token_endpoint!, { method: "POST", body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const api = (path: string, accessToken: string) =>
  fetch(new URL(`/api/v2${path}`, standIn.issuer), { headers: { authorization: `Bearer ${accessToken}` } });

const control = (path: string, body?: unknown) =>
  fetch(
    new URL(`/__stand-in/${path}`, standIn.url),
    body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
  );

function decodeJwt(jwt: string) {
  const [header = "", payload = ""] = jwt.split(".");
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
}

/** Checks an id_token signature against the JWKS currently published. */
async function checkSignature(jwt: string): Promise<{ kid: string; published: boolean; valid: boolean }> {
  const [header = "", payload = "", signature = ""] = jwt.split(".");
  const kid = String(decodeJwt(jwt).header.kid);
  const jwks = (await (await fetch(as.jwks_uri!)).json()) as { keys: Array<{ kid: string }> };
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (!jwk) return { kid, published: false, valid: false };
  const key = createPublicKey({ key: jwk as never, format: "jwk" });
  return {
    kid,
    published: true,
    valid: verify(
      "RSA-SHA256",
      Buffer.from(`${header}.${payload}`),
      key,
      Buffer.from(signature, "base64url"),
    ),
  };
}

async function verifiedKid(jwt: string): Promise<string> {
  const { kid, published, valid } = await checkSignature(jwt);
  expect({ published, valid }).toEqual({ published: true, valid: true });
  return kid;
}

/** The code exchange as raw JSON: a tampered id_token must reach the test unvalidated. */
async function rawCodeExchange(nonce: string) {
  const flow = await authorize({ client: "confidential", nonce });
  const [client, auth] = clientOf("confidential");
  const params = oauth.validateAuthResponse(as, client, flow.callback, flow.state);
  const res = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    auth,
    params,
    REDIRECT_URI,
    oauth.nopkce,
    insecure,
  );
  expect(res.status).toBe(200);
  return (await res.json()) as { id_token: string; refresh_token: string };
}

describe("discovery", () => {
  it("is Make's published document, field for field, on Make's paths", () => {
    const base = standIn.issuer;
    expect(as).toEqual({
      issuer: base,
      authorization_endpoint: `${base}/oauth/v2/authorize`,
      token_endpoint: `${base}/oauth/v2/token`,
      jwks_uri: `${base}/oauth/v2/oidc/jwks`,
      userinfo_endpoint: `${base}/oauth/v2/oidc/userinfo`,
      revocation_endpoint: `${base}/oauth/v2/revoke`,
      rename_connection_endpoint: `${base}/oauth/v2/rename`,
      request_uri_parameter_supported: true,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid"],
      claims_supported: ["sub"],
      grant_types_supported: ["authorization_code"],
      token_endpoint_auth_methods_supported: ["client_secret_post"],
      code_challenge_methods_supported: ["S256"],
    });
    expect(as).not.toHaveProperty("authorization_response_iss_parameter_supported");
  });
});

describe("login page", () => {
  it("answers the browser's favicon request without an error", async () => {
    expect((await fetch(new URL("/favicon.ico", standIn.url))).status).toBe(204);
  });
});

describe("authorization code flow", () => {
  it("gives the confidential client access, refresh and id tokens (id_token: sub, nonce, no profile)", async () => {
    const tokens = await signIn({ client: "confidential", nonce: "n-0S6_WzA2Mj" });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expires_in).toBe(300);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.access_token.split(".")).toHaveLength(1); // opaque, not a JWT

    const claims = decodeJwt(tokens.id_token!).payload;
    expect(claims.sub).toBe("1001");
    expect(claims.nonce).toBe("n-0S6_WzA2Mj");
    expect(claims.iss).toBe(standIn.issuer);
    expect(claims.aud).toBe(STAND_IN_CLIENTS.confidential.clientId);
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "iat", "iss", "nonce", "sub"]);
    await verifiedKid(tokens.id_token!);
  });

  it("sends no `iss` in the authorization response unless switched on, and accepts PKCE from the confidential client", async () => {
    expect((await authorize({ client: "confidential" })).callback.searchParams.has("iss")).toBe(false);
    standIn.controls.configure({ issInAuthorizationResponse: true });
    const flow = await authorize({ client: "confidential", pkce: true });
    expect(flow.callback.searchParams.get("iss")).toBe(standIn.issuer);
    const tokens = await exchange(flow, "confidential");
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it("rejects the public client without PKCE", async () => {
    const flow = await authorize({ client: "public", pkce: false });
    expect(flow.callback.searchParams.get("error")).toBe("invalid_request");
    expect(flow.callback.searchParams.get("error_description")).toMatch(/PKCE/);
  });

  it("gives the public client with PKCE tokens but no refresh token, unless switched on", async () => {
    const tokens = await signIn({ client: "public", pkce: true });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toBeUndefined();

    standIn.controls.configure({ publicRefreshTokens: true });
    const withRefresh = await signIn({ client: "public", pkce: true });
    expect(withRefresh.refresh_token).toEqual(expect.any(String));
  });

  it("ends with access_denied when the user denies consent", async () => {
    const flow = await authorize({ client: "confidential", decision: "deny" });
    expect(flow.callback.searchParams.get("error")).toBe("access_denied");
    expect(flow.callback.searchParams.get("state")).toBe(flow.state);
    expect(flow.callback.searchParams.get("code")).toBeNull();
  });

  it("shows the login form again with an error after a wrong password", async () => {
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid",
      state: "s",
    }).toString();
    const jar = new CookieJar();
    const start = await jar.fetch(url);
    const loginUrl = new URL(start.headers.get("location")!, url);
    const html = await (await jar.fetch(loginUrl)).text();
    expect(html).toContain("Sign in</button>");
    const res = await jar.fetch(formAction(html, loginUrl), {
      method: "POST",
      body: new URLSearchParams({ login: "ada", password: "nope" }),
    });
    expect(res.status).toBe(401);
    const again = await res.text();
    expect(again).toContain("Wrong login or password");
    expect(again).toContain('name="password"');
  });
});

describe("refresh tokens", () => {
  it("rotate on every use; reusing an old one revokes the whole grant", async () => {
    const first = await signIn({ client: "confidential" });
    const rotated = await refresh(first.refresh_token!);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toEqual(expect.any(String));
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.body.expires_in).toBe(300);
    expect((await api("/users/me", String(rotated.body.access_token))).status).toBe(200);

    const reused = await refresh(first.refresh_token!);
    expect(reused).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const afterReuse = await refresh(String(rotated.body.refresh_token));
    expect(afterReuse).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await api("/users/me", String(rotated.body.access_token))).status).toBe(401);

    expect(standIn.controls.stats()).toMatchObject({
      grants: { authorization_code: 1, refresh_token: 3 },
      refreshSucceeded: 1,
      refreshFailed: 2,
    });
  });
  it("records every refresh token presented: its user, and whether it had been used before", async () => {
    const first = await signIn({ client: "confidential" });
    const rotated = await refresh(first.refresh_token!);
    await refresh(first.refresh_token!); // reuse: the grant is revoked
    await refresh(String(rotated.body.refresh_token));

    const uses = standIn.controls.stats().refreshTokens;
    expect(uses).toEqual([
      {
        fingerprint: expect.any(String),
        sub: "1001",
        alreadyUsed: false,
        outcome: "answered",
        status: 200,
        at: expect.any(Number),
      },
      {
        fingerprint: uses[0]!.fingerprint,
        sub: "1001",
        alreadyUsed: true,
        outcome: "answered",
        status: 400,
        at: expect.any(Number),
      },
      {
        fingerprint: expect.any(String),
        alreadyUsed: false,
        outcome: "answered",
        status: 400,
        at: expect.any(Number),
      },
    ]);
    expect(uses[2]!.fingerprint).not.toBe(uses[0]!.fingerprint);
    expect(JSON.stringify(uses)).not.toContain(first.refresh_token!);
  });
});

describe("revocation, userinfo and the Make API", () => {
  it("serves /users/me and /organizations, and 401s a revoked access token", async () => {
    const tokens = await signIn({ client: "confidential" });
    const me = await api("/users/me", tokens.access_token);
    expect(await me.json()).toEqual({
      authUser: {
        id: 1001,
        name: "Ada Lovelace",
        email: "ada@example.com",
        language: "en",
        timezoneId: 113,
        localeId: 1,
        countryId: 1,
        features: {},
        avatar: `${standIn.issuer}/avatars/ada.svg`,
        timezone: "Europe/Prague",
        locale: "en",
      },
    });
    const orgs = (await (
      await api(
        "/organizations?cols[]=id&cols[]=zone&cols[]=countryId&cols[]=timezoneId",
        tokens.access_token,
      )
    ).json()) as {
      organizations: Array<Record<string, unknown>>;
    };
    expect(orgs.organizations[0]).toMatchObject({
      id: expect.any(Number),
      zone: standIn.zones[0],
      countryId: 1,
      timezoneId: 113,
    });

    const [client, auth] = clientOf("confidential");
    const revoked = await oauth.revocationRequest(as, client, auth, tokens.access_token, {
      ...insecure,
      additionalParameters: { token_type_hint: "access_token" },
    });
    await oauth.processRevocationResponse(revoked);
    expect((await api("/users/me", tokens.access_token)).status).toBe(401);
    expect(standIn.controls.stats().revocations).toEqual([
      { tokenTypeHint: "access_token", found: true, at: expect.any(String) },
    ]);
  });

  it("revokes the whole grant when the refresh token is revoked", async () => {
    const tokens = await signIn({ client: "confidential" });
    const [client, auth] = clientOf("confidential");
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, tokens.refresh_token!, {
        ...insecure,
        additionalParameters: { token_type_hint: "refresh_token" },
      }),
    );
    expect(await refresh(tokens.refresh_token!)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    expect((await api("/users/me", tokens.access_token)).status).toBe(401);
    // Revoking an unknown token still answers 200 (RFC 7009); the stats tell the two apart.
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, "no-such-token", insecure),
    );
    expect(
      standIn.controls.stats().revocations.map(({ tokenTypeHint, found }) => ({ tokenTypeHint, found })),
    ).toEqual([
      { tokenTypeHint: "refresh_token", found: true },
      { tokenTypeHint: null, found: false },
    ]);
  });

  it("answers 401 without a token and 403 without the scope", async () => {
    expect((await fetch(new URL("/api/v2/users/me", standIn.issuer))).status).toBe(401);
    const tokens = await signIn({ client: "confidential", scope: "openid organizations:read" });
    const res = await api("/users/me", tokens.access_token);
    expect(res.status).toBe(403);
    expect((await api("/organizations", tokens.access_token)).status).toBe(200);
  });

  it("returns only `sub` from userinfo by default, like Make's documentation", async () => {
    const [client] = clientOf("confidential");
    const ada = await signIn({ client: "confidential", login: "ada" });
    const info = await oauth.processUserInfoResponse(
      as,
      client,
      "1001",
      await oauth.userInfoRequest(as, client, ada.access_token, insecure),
    );
    expect(info).toEqual({ sub: "1001" });
  });

  it("returns name, email and picture for ada and only sub for sub-only with `userinfoProfile`", async () => {
    standIn.controls.configure({ userinfoProfile: true });
    const [client] = clientOf("confidential");
    const ada = await signIn({ client: "confidential", login: "ada" });
    const adaInfo = await oauth.processUserInfoResponse(
      as,
      client,
      "1001",
      await oauth.userInfoRequest(as, client, ada.access_token, insecure),
    );
    expect(adaInfo).toEqual({
      sub: "1001",
      name: "Ada Lovelace",
      email: "ada@example.com",
      picture: `${standIn.issuer}/avatars/ada.svg`,
    });
    const avatar = await fetch(adaInfo.picture!);
    expect(avatar.headers.get("content-type")).toMatch(/^image\/svg\+xml/);

    const bare = await signIn({ client: "confidential", login: "sub-only" });
    const bareInfo = await oauth.processUserInfoResponse(
      as,
      client,
      "1002",
      await oauth.userInfoRequest(as, client, bare.access_token, insecure),
    );
    expect(bareInfo).toEqual({ sub: "1002" });
    expect(standIn.controls.stats().userinfo).toBe(2);
  });
});

describe("test switches", () => {
  it("fails refreshes with 503 for `times` requests, then recovers; code exchanges are untouched", async () => {
    const tokens = await signIn({ client: "confidential" });
    standIn.controls.fail({ endpoint: "token", mode: "status", status: 503, times: 1 });
    const failed = await refresh(tokens.refresh_token!);
    expect(failed.status).toBe(503);
    const ok = await refresh(tokens.refresh_token!); // the failed request never reached oidc-provider
    expect(ok.status).toBe(200);
    expect(standIn.controls.stats()).toMatchObject({
      grants: { authorization_code: 1, refresh_token: 2 },
      refreshSucceeded: 1,
      refreshFailed: 1,
    });
  });

  it("never processes a refresh whose client went away during the token latency", async () => {
    const tokens = await signIn({ client: "confidential" });
    standIn.controls.configure({ tokenLatencyMs: 300 });
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      client_secret: STAND_IN_CLIENTS.confidential.clientSecret,
    });
    await expect(
      fetch(as.token_endpoint!, { method: "POST", body, signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    standIn.controls.fail({ endpoint: "token", mode: "status", status: 503, times: 1 });
    expect((await refresh(tokens.refresh_token!)).status).toBe(503);

    // Neither the abandoned request nor the switched one used the token up.
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
    expect(
      standIn.controls
        .stats()
        .refreshTokens.map(({ outcome, alreadyUsed, status }) => ({ outcome, alreadyUsed, status })),
    ).toEqual([
      { outcome: "abandoned", alreadyUsed: false },
      { outcome: "failure_switch", alreadyUsed: false },
      { outcome: "answered", alreadyUsed: false, status: 200 },
    ]);
  });

  it("answers invalid_grant on demand, also for code exchanges when asked, through the HTTP API", async () => {
    const tokens = await signIn({ client: "confidential" });
    expect((await control("fail", { endpoint: "token", mode: "invalid_grant" })).status).toBe(200);
    expect(await refresh(tokens.refresh_token!)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    expect(await refresh(tokens.refresh_token!)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    await control("fail", { endpoint: "token", mode: "off" });
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);

    await control("fail", {
      endpoint: "token",
      mode: "invalid_grant",
      grants: ["authorization_code"],
      times: 1,
    });
    await expect(signIn({ client: "confidential" })).rejects.toMatchObject({ error: "invalid_grant" });

    const stats = (await (await control("stats")).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      grants: { authorization_code: 2, refresh_token: 3 },
      refreshSucceeded: 1,
      refreshFailed: 2,
    });
    expect((await control("fail", { endpoint: "token", mode: "explode" })).status).toBe(400);
  });

  it("hangs an endpoint until the client gives up, and close() still ends the socket", async () => {
    standIn.controls.fail({ endpoint: "discovery", mode: "hang", times: 1 });
    const discovery = new URL("/.well-known/openid-configuration", standIn.issuer);
    await expect(fetch(discovery, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await fetch(discovery)).status).toBe(200);

    const other = await startMakeStandIn({ port: 0, quiet: true });
    other.controls.fail({ endpoint: "jwks", mode: "hang" });
    const pending = fetch(new URL("/oauth/v2/oidc/jwks", other.url)).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it("applies a new access token lifetime and token latency", async () => {
    expect(
      await (await control("config", { accessTokenTtl: 120, tokenLatencyMs: 150 })).json(),
    ).toMatchObject({ accessTokenTtl: 120 });
    const tokens = await signIn({ client: "confidential" });
    expect(tokens.expires_in).toBe(120);
    const started = Date.now();
    expect((await refresh(tokens.refresh_token!)).body.expires_in).toBe(120);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await control("config", { accessTokenTtl: -1 })).status).toBe(400);

    await control("reset", {});
    expect(standIn.controls.config()).toEqual(defaultConfig());
    expect(standIn.controls.config()).toMatchObject({ accessTokenTtl: 300, apiBudget: 60 });
  });

  it("rotates the signing key: new kid in the JWKS, old one kept, tokens signed with the new one", async () => {
    const before = await signIn({ client: "confidential" });
    const oldKid = await verifiedKid(before.id_token!);

    const { kid } = (await (await control("rotate-keys", {})).json()) as { kid: string };
    expect(kid).not.toBe(oldKid);
    const jwks = (await (await fetch(as.jwks_uri!)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual([kid, oldKid]);

    // Grants and tokens survive the rotation; new id_tokens use the new key.
    const refreshed = await refresh(before.refresh_token!);
    expect(refreshed.status).toBe(200);
    expect(await verifiedKid(String(refreshed.body.id_token))).toBe(kid);
    expect(await verifiedKid((await signIn({ client: "confidential" })).id_token!)).toBe(kid);
  });
});

describe("tamper switches (a misbehaving authorization server)", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const forged: Record<IdTokenTamper, (jwt: string, nonce: string) => Promise<void>> = {
    wrong_aud: async (jwt) => {
      expect(decodeJwt(jwt).payload.aud).toBe(FOREIGN_AUDIENCE);
      await verifiedKid(jwt);
    },
    wrong_iss: async (jwt) => {
      expect(decodeJwt(jwt).payload.iss).toBe(FOREIGN_ISSUER);
      await verifiedKid(jwt);
    },
    expired: async (jwt) => {
      expect(decodeJwt(jwt).payload.exp).toBeLessThan(now() - 600);
      await verifiedKid(jwt);
    },
    future_iat: async (jwt) => {
      expect(decodeJwt(jwt).payload.iat).toBeGreaterThan(now() + 3600);
      await verifiedKid(jwt);
    },
    bad_signature: async (jwt) => {
      expect(await checkSignature(jwt)).toMatchObject({ published: true, valid: false });
    },
    alg_none: async (jwt) => {
      expect(decodeJwt(jwt).header).toEqual({ alg: "none", typ: "JWT" });
      expect(jwt.endsWith(".")).toBe(true);
    },
    unknown_key: async (jwt) => {
      expect(await checkSignature(jwt)).toMatchObject({ published: false });
    },
    wrong_nonce: async (jwt, nonce) => {
      expect(decodeJwt(jwt).payload.nonce).not.toBe(nonce);
      await verifiedKid(jwt);
    },
    no_nonce: async (jwt) => {
      expect(decodeJwt(jwt).payload).not.toHaveProperty("nonce");
      await verifiedKid(jwt);
    },
    no_aud: async (jwt) => {
      expect(decodeJwt(jwt).payload).not.toHaveProperty("aud");
      await verifiedKid(jwt);
    },
    no_sub: async (jwt) => {
      expect(decodeJwt(jwt).payload).not.toHaveProperty("sub");
      await verifiedKid(jwt);
    },
    no_iat: async (jwt) => {
      expect(decodeJwt(jwt).payload).not.toHaveProperty("iat");
      await verifiedKid(jwt);
    },
    no_kid: async (jwt) => {
      expect(decodeJwt(jwt).header).toEqual({ alg: "RS256" });
    },
    other_sub: async (jwt) => {
      expect(decodeJwt(jwt).payload.sub).toBe(OTHER_SUB);
      await verifiedKid(jwt);
    },
  };

  it.each(ID_TOKEN_TAMPERS)(
    "forges the id_token of a code exchange: %s, and leaves every other claim alone",
    async (tamper) => {
      standIn.controls.tamper({ idToken: tamper });
      const nonce = `nonce-${tamper}`;
      const { id_token: idToken } = await rawCodeExchange(nonce);
      await forged[tamper](idToken, nonce);
      const claims = decodeJwt(idToken).payload;
      if (!["no_sub", "other_sub"].includes(tamper)) expect(claims.sub).toBe("1001");
      if (!["wrong_aud", "wrong_iss", "wrong_nonce", "no_nonce", "no_aud"].includes(tamper)) {
        expect({ aud: claims.aud, iss: claims.iss, nonce: claims.nonce }).toEqual({
          aud: STAND_IN_CLIENTS.confidential.clientId,
          iss: standIn.issuer,
          nonce,
        });
      }
      expect(standIn.controls.stats().tampered).toEqual({ idToken: 1, userinfo: 0, authorizationIss: 0 });
    },
  );

  it("leaves refresh responses alone, and `{}` turns tampering off", async () => {
    standIn.controls.tamper({ idToken: "wrong_aud" });
    const { refresh_token: refreshToken } = await rawCodeExchange("n");
    const refreshed = await refresh(refreshToken);
    expect(decodeJwt(String(refreshed.body.id_token)).payload.aud).toBe(
      STAND_IN_CLIENTS.confidential.clientId,
    );
    standIn.controls.tamper({});
    expect(decodeJwt((await rawCodeExchange("n")).id_token).payload.aud).toBe(
      STAND_IN_CLIENTS.confidential.clientId,
    );
    expect(standIn.controls.stats().tampered.idToken).toBe(1);
  });

  it("answers userinfo with another `sub`, and the authorization response with another or no `iss`, over HTTP", async () => {
    expect((await control("tamper", { authorizationIss: FOREIGN_ISSUER })).status).toBe(200);
    const flow = await authorize({ client: "confidential" });
    expect(flow.callback.searchParams.get("iss")).toBe(FOREIGN_ISSUER);
    expect(flow.callback.searchParams.get("code")).toEqual(expect.any(String));

    await control("tamper", { userinfoSub: "9999" });
    const tokens = await signIn({ client: "confidential" });
    const userinfo = await fetch(as.userinfo_endpoint!, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await userinfo.json()).toEqual({ sub: "9999" });

    await control("tamper", { authorizationIss: null });
    expect((await authorize({ client: "confidential" })).callback.searchParams.has("iss")).toBe(false);
    await control("tamper", {});
    expect((await authorize({ client: "confidential" })).callback.searchParams.has("iss")).toBe(false);

    const stats = (await (await control("stats")).json()) as { tampered: Record<string, number> };
    expect(stats.tampered).toEqual({ idToken: 0, userinfo: 1, authorizationIss: 2 });
    expect((await control("tamper", { idToken: "explode" })).status).toBe(400);
  });

  it("counts JWKS requests, so a test can see whether a client verified a signature", async () => {
    expect(standIn.controls.stats().jwks).toBe(0);
    await verifiedKid((await signIn({ client: "confidential" })).id_token!);
    expect(standIn.controls.stats().jwks).toBe(1);
  });
});

describe("Make-like behaviour", () => {
  const ALL = "openid user:read organizations:read teams:read scenarios:read";
  const inZone = (zone: string, path: string, accessToken: string) =>
    fetch(`http://${zone}/api/v2${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

  it("sends no `scope` in token responses; /users/me/current-authorization says what was granted", async () => {
    const tokens = await signIn({ client: "confidential", scope: "openid user:read organizations:read" });
    expect(tokens).not.toHaveProperty("scope");
    const refreshed = await refresh(tokens.refresh_token!);
    expect(refreshed.body).not.toHaveProperty("scope");
    expect(await json(await api("/users/me/current-authorization", tokens.access_token))).toEqual({
      authorization: { authUsed: "oauth", scope: ["user:read", "organizations:read"] },
    });
  });

  it("grants only the scopes left ticked on the consent page", async () => {
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: ALL,
      state: "s",
    }).toString();
    const jar = new CookieJar();
    const login = new URL((await jar.fetch(url)).headers.get("location")!, url);
    const loginHtml = await (await jar.fetch(login)).text();
    let res = await jar.fetch(formAction(loginHtml, login), {
      method: "POST",
      body: new URLSearchParams({ login: "ada", password: "password" }),
    });
    let current = new URL(res.headers.get("location")!, login);
    res = await jar.fetch(current);
    current = new URL(res.headers.get("location")!, current);
    const consentHtml = await (await jar.fetch(current)).text();
    expect(consentHtml).toContain('value="scenarios:read" checked');
    const form = new URLSearchParams([
      ["per-scope", "1"],
      ["scope", "user:read"],
      ["scope", "organizations:read"],
      ["decision", "allow"],
    ]);
    res = await jar.fetch(formAction(consentHtml, current), { method: "POST", body: form });
    for (let step = 0; step < 5 && !res.headers.get("location")?.startsWith(REDIRECT_URI); step++) {
      current = new URL(res.headers.get("location")!, current);
      res = await jar.fetch(current);
    }
    const callback = new URL(res.headers.get("location")!);
    const [client, auth] = clientOf("confidential");
    const params = oauth.validateAuthResponse(as, client, callback, "s");
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        params,
        REDIRECT_URI,
        oauth.nopkce,
        insecure,
      ),
    );
    const granted = await json(await api("/users/me/current-authorization", tokens.access_token));
    expect(granted).toEqual({
      authorization: { authUsed: "oauth", scope: ["user:read", "organizations:read"] },
    });
  });

  it("ignores the nonce when switched to, like a Make that does not echo it", async () => {
    standIn.controls.configure({ ignoreNonce: true });
    const { id_token: idToken } = await rawCodeExchange("n-ignored");
    expect(decodeJwt(idToken).payload).not.toHaveProperty("nonce");
  });

  it("serves each zone on its own origin; a call about an organization in another zone fails like Make's", async () => {
    const tokens = await signIn({ client: "confidential", scope: ALL });
    expect(standIn.zones).toHaveLength(2);
    expect(new Set(standIn.zones).size).toBe(2);
    const orgs = (
      await json(await inZone(standIn.zones[1]!, "/organizations?cols[]=id&cols[]=zone", tokens.access_token))
    ).organizations as Array<{ id: number; zone: string }>;
    expect(orgs.map(({ id, zone }) => ({ id, zone }))).toEqual([
      { id: 5001, zone: standIn.zones[0] },
      { id: 5011, zone: standIn.zones[1] },
    ]);
    expect((await inZone(standIn.zones[1]!, "/teams?organizationId=5011", tokens.access_token)).status).toBe(
      200,
    );
    const wrong = await inZone(standIn.zones[0]!, "/teams?organizationId=5011", tokens.access_token);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({
      detail: "User has no organization in the zone",
      message: expect.any(String),
      code: "IM005",
    });
    expect(standIn.controls.stats().api.map(({ zone, path, status }) => ({ zone, path, status }))).toEqual([
      { zone: standIn.zones[1], path: "/api/v2/organizations", status: 200 },
      { zone: standIn.zones[1], path: "/api/v2/teams", status: 200 },
      { zone: standIn.zones[0], path: "/api/v2/teams", status: 400 },
    ]);
  });

  it("signs in any of the numbered users, each a member of the one shared organization", async () => {
    for (const login of ["user-1", "user-1000"]) {
      const tokens = await signIn({ client: "confidential", scope: ALL, login });
      const me = (await json(await api("/users/me", tokens.access_token))).authUser as { id: number };
      expect(me.id).toBe(2_000_000 + Number(login.slice("user-".length)));
      const organizations = await json(await api("/organizations", tokens.access_token));
      expect(organizations.organizations).toEqual([
        { id: SHARED_ORGANIZATION_ID, name: "Shared organization", countryId: 1, timezoneId: 113 },
      ]);
      const zone = standIn.zones[0]!;
      const teams = await json(
        await inZone(zone, `/teams?organizationId=${SHARED_ORGANIZATION_ID}`, tokens.access_token),
      );
      expect(teams.teams).toEqual([{ id: 7041, name: "Everyone", organizationId: SHARED_ORGANIZATION_ID }]);
      const scenarios = await json(await inZone(zone, "/scenarios?teamId=7041", tokens.access_token));
      expect(scenarios.scenarios).toHaveLength(3);
    }
    for (const login of ["user-0", "user-1001", "user-01"]) {
      await expect(signIn({ client: "confidential", login })).rejects.toThrow();
    }
  });

  it("lists teams and scenarios with Make's fields, paginated by pg[offset] and pg[limit]", async () => {
    const tokens = await signIn({ client: "confidential", scope: ALL });
    const zone = standIn.zones[0]!;
    const teams = (await json(await inZone(zone, "/teams?organizationId=5001", tokens.access_token))).teams;
    expect(teams).toEqual([
      { id: 7001, name: "Engineering", organizationId: 5001 },
      { id: 7002, name: "Operations", organizationId: 5001 },
    ]);
    const page = (offset: number) =>
      inZone(
        zone,
        `/scenarios?teamId=7001&pg[offset]=${offset}&pg[limit]=25&pg[sortBy]=lastEdit&pg[sortDir]=desc`,
        tokens.access_token,
      );
    const pages = await Promise.all(
      [0, 25, 50].map(
        async (offset) => (await json(await page(offset))).scenarios as Array<Record<string, unknown>>,
      ),
    );
    expect(pages.map((items) => items.length)).toEqual([25, 25, 10]);
    expect(new Set(pages.flat().map((item) => item.id)).size).toBe(60);
    expect(pages[0]![0]).toMatchObject({
      id: expect.any(Number),
      name: expect.any(String),
      teamId: 7001,
      isActive: expect.any(Boolean),
      isPaused: expect.any(Boolean),
      isinvalid: expect.any(Boolean),
      lastEdit: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      scheduling: { type: expect.any(String) },
    });
    const lastEdits = pages.flat().map((item) => String(item.lastEdit));
    expect(lastEdits).toEqual([...lastEdits].sort().reverse());
  });

  it("answers 403 with Make's permission body and no scope challenge, and 429 once an organization's budget is spent", async () => {
    const narrow = await signIn({ client: "confidential", scope: "openid teams:read" });
    const forbidden = await inZone(standIn.zones[0]!, "/scenarios?teamId=7001", narrow.access_token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("www-authenticate")).toBeNull();
    expect(await forbidden.json()).toEqual({
      detail: "Access denied.",
      message: "Permission denied",
      code: "SC403",
    });

    standIn.controls.configure({ apiBudget: 2, apiBudgetWindowSeconds: 30 });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await inZone(standIn.zones[0]!, "/teams?organizationId=5001", narrow.access_token)).status,
      );
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await inZone(standIn.zones[0]!, "/teams?organizationId=5001", narrow.access_token);
    expect(limited.headers.get("retry-after")).toBeNull();
    expect(await limited.json()).toMatchObject({
      detail: "Requests limit for organization exceeded, please try again later.",
      code: "SC429",
    });
    standIn.controls.configure({ retryAfterOn429: true });
    const told = await inZone(standIn.zones[0]!, "/teams?organizationId=5001", narrow.access_token);
    expect(told.status).toBe(429);
    expect(Number(told.headers.get("retry-after"))).toBeGreaterThan(0);
    // The budget is per organization: another one is not affected.
    expect((await inZone(standIn.zones[1]!, "/teams?organizationId=5011", narrow.access_token)).status).toBe(
      200,
    );
  });
});
