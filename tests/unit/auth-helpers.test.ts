import { afterEach, describe, expect, it, vi } from "vitest";
import * as oauth from "oauth4webapi";
import { NextRequest } from "next/server";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { classifySignInError, withSignInErrorReasons } from "@/lib/auth/sign-in-errors";
import { authCookies, sessionCookieName } from "@/lib/auth/session-cookie";

/** The stable deployment behind the redirect proxy, forwarding Make's answers to its preview origins only. */
const STABLE_WITH_PREVIEWS = {
  AUTH_URL: "https://app.example.com",
  AUTH_REDIRECT_PROXY_URL: "https://app.example.com/api/auth",
  TOKEN_ENCRYPTION_KEY: "k".repeat(40),
  AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS: "https://*.preview.example.com",
};

describe("safeRedirectPath", () => {
  it("keeps paths on this site", () => {
    expect(safeRedirectPath("/dashboard?tab=1")).toBe("/dashboard?tab=1");
  });

  it("takes the first of a repeated callbackUrl instead of failing, and refuses anything that is not text", () => {
    expect(safeRedirectPath(["/a", "/b"])).toBe("/a");
    expect(safeRedirectPath(["https://evil.example", "/b"])).toBe("/dashboard");
    expect(safeRedirectPath({ toString: () => "/a" })).toBe("/dashboard");
  });

  for (const hostile of [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "dashboard",
    "/\nset-cookie",
  ]) {
    it(`refuses ${JSON.stringify(hostile)}`, () => {
      expect(safeRedirectPath(hostile)).toBe("/dashboard");
    });
  }
});

describe("classifySignInError", () => {
  const wrapped = (err: unknown) =>
    Object.assign(new Error("callback failed"), { type: "CallbackRouteError", cause: { err } });

  it("reads a state problem from Auth.js's InvalidCheck", () => {
    expect(
      classifySignInError(
        Object.assign(new Error("state value could not be parsed"), { type: "InvalidCheck" }),
      ),
    ).toBe("state_mismatch");
  });

  it("treats invalid_grant at the code exchange as a used or expired code", () => {
    const error = new oauth.ResponseBodyError("server responded with an error in the response body", {
      cause: { error: "invalid_grant" },
      response: new Response(null, { status: 400 }),
    });
    expect(classifySignInError(wrapped(error))).toBe("code_rejected");
  });

  it("tells an unreachable Make from a configuration problem", () => {
    expect(classifySignInError(wrapped(new TypeError("fetch failed")))).toBe("make_unreachable");
    expect(classifySignInError(new Error("something else"))).toBe("server_error");
  });

  it("names a different account", () => {
    expect(classifySignInError(Object.assign(new Error("x"), { type: "OAuthAccountNotLinked" }))).toBe(
      "account_in_use",
    );
  });

  it("names a second Make account refused by the adapter, inside Auth.js's AdapterError", () => {
    const refused = Object.assign(new Error("this user already has a Make account"), {
      name: "MakeAccountMismatchError",
    });
    const adapterError = Object.assign(new Error("adapter failed"), {
      type: "AdapterError",
      cause: { err: refused },
    });
    expect(classifySignInError(adapterError)).toBe("make_account_mismatch");
  });
});

describe("the auth route's redirects", () => {
  const respond = (location: string, cookies: string[] = []) => {
    const headers = new Headers({ location });
    for (const cookie of cookies) headers.append("set-cookie", cookie);
    return withSignInErrorReasons(async () => new Response(null, { status: 302, headers }))(
      new NextRequest("http://127.0.0.1:3000/api/auth/callback/make?code=c&state=s"),
    );
  };

  it("sends a successful sign-in where it asked to go, even when that path carries ?error=", async () => {
    const response = await respond("http://127.0.0.1:3000/dashboard?error=x", [
      "authjs.session-token=abc; Path=/; HttpOnly",
    ]);
    expect(response.headers.get("location")).toBe("http://127.0.0.1:3000/dashboard?error=x");
  });

  it("sends a failed one to the error page with its reason", async () => {
    const response = await respond("http://127.0.0.1:3000/auth/error?error=Configuration");
    expect(response.headers.get("location")).toBe("http://127.0.0.1:3000/auth/error?reason=server_error");
  });

  it("treats a cleared session cookie (a sign-out) as no sign-in", async () => {
    const response = await respond("http://127.0.0.1:3000/auth/error?error=Configuration", [
      "authjs.session-token=; Path=/; Max-Age=0",
    ]);
    expect(response.headers.get("location")).toBe("http://127.0.0.1:3000/auth/error?reason=server_error");
  });
});

describe("sessionCookieName", () => {
  it("is __Host-authjs.session-token when the app's https URL is known, so no sibling host can set it", () => {
    expect(sessionCookieName({ authUrl: "https://app.example.com" })).toBe("__Host-authjs.session-token");
    expect(sessionCookieName({ authUrl: "https://app.example.com", forwardedProto: "http" })).toBe(
      "__Host-authjs.session-token",
    );
  });

  it("is Auth.js's __Secure-authjs.session-token under https when only trusted Host headers name the app", () => {
    expect(sessionCookieName({ forwardedProto: "https" })).toBe("__Secure-authjs.session-token");
    expect(sessionCookieName({ forwardedProto: null })).toBe("__Secure-authjs.session-token");
  });

  it("gives Auth.js __Host- names for the session, state, PKCE, nonce and callback cookies under https", () => {
    expect(authCookies("https://app.example.com")).toEqual({
      sessionToken: { name: "__Host-authjs.session-token" },
      callbackUrl: { name: "__Host-authjs.callback-url" },
      pkceCodeVerifier: { name: "__Host-authjs.pkce.code_verifier" },
      state: { name: "__Host-authjs.state" },
      nonce: { name: "__Host-authjs.nonce" },
    });
    expect(authCookies("http://127.0.0.1:3000")).toBeUndefined();
    expect(authCookies(undefined)).toBeUndefined();
  });

  it("is authjs.session-token over http, and AUTH_URL wins over a forwarded protocol", () => {
    expect(sessionCookieName({ authUrl: "http://127.0.0.1:3000", forwardedProto: "https" })).toBe(
      "authjs.session-token",
    );
    expect(sessionCookieName({ forwardedProto: "http" })).toBe("authjs.session-token");
  });
});

describe("publicOrigin", () => {
  /** The env module reads AUTH_URL once, at import. */
  async function loadPublicOrigin(authUrl = "") {
    vi.resetModules();
    vi.stubEnv("SKIP_ENV_VALIDATION", "1");
    vi.stubEnv("AUTH_URL", authUrl);
    return (await import("@/lib/auth/public-url")).publicOrigin;
  }
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("is AUTH_URL's origin when AUTH_URL is set, whatever host the request names", async () => {
    const publicOrigin = await loadPublicOrigin("https://app.example.com/base");
    const request = new Request("http://localhost:3000/api/auth/callback/make", {
      headers: { host: "localhost:3000" },
    });
    expect(publicOrigin(request)).toBe("https://app.example.com");
  });

  it("follows the forwarded host and protocol when AUTH_URL is not set", async () => {
    const publicOrigin = await loadPublicOrigin();
    const request = new Request("http://localhost:3000/api/auth/callback/make", {
      headers: { "x-forwarded-host": "app.example.com", "x-forwarded-proto": "https" },
    });
    expect(publicOrigin(request)).toBe("https://app.example.com");
  });

  it("keeps a loopback IP the browser used instead of Next's localhost", async () => {
    const publicOrigin = await loadPublicOrigin();
    const request = new Request("http://localhost:3100/api/auth/signin", {
      headers: { host: "127.0.0.1:3100" },
    });
    expect(publicOrigin(request)).toBe("http://127.0.0.1:3100");
  });
});

describe("the public origin and the redirect proxy's allowlist", () => {
  const VALID = {
    SKIP_ENV_VALIDATION: "",
    NODE_ENV: "production",
    DATABASE_URL: "postgresql://localhost/unused",
    AUTH_SECRET: "s".repeat(40),
    AUTH_MAKE_ISSUER: "http://localhost:4010",
    AUTH_MAKE_ID: "client",
  };
  const VERCEL_NAMES = [
    "VERCEL",
    "VERCEL_ENV",
    "VERCEL_URL",
    "VERCEL_BRANCH_URL",
    "VERCEL_PROJECT_PRODUCTION_URL",
  ];
  async function load(vars: Record<string, string>) {
    vi.resetModules();
    vi.unstubAllEnvs();
    for (const name of [
      ...VERCEL_NAMES,
      "AUTH_URL",
      "AUTH_TRUST_HOST",
      "AUTH_REDIRECT_PROXY_URL",
      "AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS",
      "CRON_SECRET",
      "TOKEN_ENCRYPTION_KEY",
    ])
      vi.stubEnv(name, undefined);
    for (const [name, value] of Object.entries({ ...VALID, ...vars })) vi.stubEnv(name, value);
    return import("@/lib/auth/public-url");
  }
  afterEach(() => vi.unstubAllEnvs());
  const forged = (url: string) =>
    new Request(url, {
      headers: { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    });
  const vercel = (environment: string) => ({
    VERCEL: "1",
    VERCEL_ENV: environment,
    CRON_SECRET: "c".repeat(32),
    VERCEL_URL: "my-app-k3j9xq2mz-acme.vercel.app",
    VERCEL_BRANCH_URL:
      environment === "production" ? "my-app-git-main-acme.vercel.app" : "my-app-git-feature-acme.vercel.app",
    VERCEL_PROJECT_PRODUCTION_URL: "app.acme.example",
    AUTH_REDIRECT_PROXY_URL: "https://app.acme.example/api/auth",
    TOKEN_ENCRYPTION_KEY: "k".repeat(40),
  });

  it("on a Vercel preview is Vercel's URL for the deployment, whatever Host or X-Forwarded-Host says", async () => {
    const { publicOrigin } = await load(vercel("preview"));
    expect(publicOrigin(forged("http://localhost:3000/api/auth/signin/make"))).toBe(
      "https://my-app-git-feature-acme.vercel.app",
    );
  });

  it("in production without AUTH_URL and untrusted hosts ignores the Host headers", async () => {
    const { publicOrigin } = await load({});
    expect(publicOrigin(forged("http://127.0.0.1:3000/api/auth/signin/make"))).toBe("http://127.0.0.1:3000");
  });

  it("allows forwarding only to the configured origins, a * standing for part of one host label", async () => {
    const { redirectProxyAllows } = await load({
      AUTH_URL: "https://app.example.com",
      AUTH_REDIRECT_PROXY_URL: "https://app.example.com/api/auth",
      TOKEN_ENCRYPTION_KEY: "k".repeat(40),
      AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS: "https://*.preview.example.com, https://staging.example.com",
    });
    expect(redirectProxyAllows("https://pr-12.preview.example.com")).toBe(true);
    expect(redirectProxyAllows("https://staging.example.com")).toBe(true);
    for (const origin of [
      "https://evil.example",
      "http://pr-12.preview.example.com",
      "https://a.b.preview.example.com",
      "https://pr-12.preview.example.com.evil.example",
      "https://staging.example.com:8443",
    ])
      expect(redirectProxyAllows(origin), origin).toBe(false);
  });

  it("on Vercel allows, by default, this project's preview URLs only, in Vercel's two forms", async () => {
    const { redirectProxyAllows } = await load(vercel("production"));
    expect(redirectProxyAllows("https://my-app-git-feature-x-acme.vercel.app")).toBe(true);
    expect(redirectProxyAllows("https://my-app-p9q8r7s6t-acme.vercel.app")).toBe(true);
    for (const origin of [
      // Another project named my-app-x, or my-app-staging, in a scope of its own ending in -acme: its
      // production domain is neither a deployment hash nor a branch URL.
      "https://my-app-x-acme.vercel.app",
      "https://my-app-staging-acme.vercel.app",
      "https://evil-acme.vercel.app",
      "https://my-app-git-x-evil.vercel.app",
      "https://other-git-main-acme.vercel.app",
      "https://evil.example",
      "http://my-app-git-feature-acme.vercel.app",
    ])
      expect(redirectProxyAllows(origin), origin).toBe(false);
  });

  it("answers a forward to an origin outside the allowlist with the error page, code and state dropped", async () => {
    const { withRedirectProxyAllowlist } = await load(STABLE_WITH_PREVIEWS);
    const forwardTo = (origin: string) =>
      withRedirectProxyAllowlist(async () =>
        Response.redirect(`${origin}/api/auth/callback/make?code=secret-code&state=s`, 302),
      )(new NextRequest("https://app.example.com/api/auth/callback/make?code=secret-code&state=s"));
    const refused = await forwardTo("https://evil.example");
    expect(refused.headers.get("location")).toBe("https://app.example.com/auth/error?reason=forged_request");
    const allowed = await forwardTo("https://pr-1.preview.example.com");
    expect(allowed.headers.get("location")).toContain(
      "https://pr-1.preview.example.com/api/auth/callback/make?code=",
    );
  });

  it("refuses the forward Auth.js answers in JSON (X-Auth-Return-Redirect) as it refuses the redirect", async () => {
    const { withRedirectProxyAllowlist } = await load(STABLE_WITH_PREVIEWS);
    const forwardTo = (origin: string) =>
      withRedirectProxyAllowlist(async () =>
        Response.json({ url: `${origin}/api/auth/callback/make?code=secret-code&state=s` }),
      )(
        new NextRequest("https://app.example.com/api/auth/callback/make?code=secret-code&state=s", {
          headers: { "x-auth-return-redirect": "1" },
        }),
      );
    const refused = await forwardTo("https://evil.example");
    expect(refused.headers.get("location")).toBe("https://app.example.com/auth/error?reason=forged_request");
    expect(await refused.text()).not.toContain("secret-code");
    const allowed = await forwardTo("https://pr-1.preview.example.com");
    expect(((await allowed.json()) as { url: string }).url).toContain("https://pr-1.preview.example.com/");
  });
});

describe("proxy", () => {
  afterEach(() => vi.unstubAllEnvs());

  async function loadProxy(authUrl: string) {
    vi.resetModules();
    const env = {
      SKIP_ENV_VALIDATION: "",
      DATABASE_URL: "postgresql://localhost/unused",
      AUTH_SECRET: "s".repeat(40),
      AUTH_MAKE_ISSUER: "http://localhost:4010",
      AUTH_MAKE_ID: "client",
      AUTH_URL: authUrl,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    return { ...(await import("@/proxy")), ...(await import("@/auth.config")) };
  }

  const dashboard = (origin: string, cookie: string) =>
    new NextRequest(`${origin}/dashboard`, { headers: { cookie } });

  it("gives every page a policy of its own, with a fresh script nonce and no 'unsafe-inline' script", async () => {
    const { proxy } = await loadProxy("http://127.0.0.1:3000");
    const policies = ["/", "/", "/auth/error"].map((path) =>
      proxy(new NextRequest(`http://127.0.0.1:3000${path}`)).headers.get("content-security-policy")!,
    );
    const nonces = policies.map(
      (policy) => /script-src 'nonce-([A-Za-z0-9+/=]{22,})' 'strict-dynamic'/.exec(policy)?.[1],
    );
    expect(new Set(nonces).size).toBe(3);
    for (const policy of policies) expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  });

  it("renews the session cookie once a day: not while the marker of the session's own name is there", async () => {
    const { proxy, SESSION_RENEWED_COOKIE } = await loadProxy("https://app.example.com");
    const fresh = proxy(
      dashboard(
        "https://app.example.com",
        `__Host-authjs.session-token=abc; __Host-${SESSION_RENEWED_COOKIE}=1`,
      ),
    );
    expect(fresh.cookies.getAll()).toEqual([]);
    // A plain marker can be planted from a sibling subdomain; under https it does not count.
    const planted = proxy(
      dashboard("https://app.example.com", `__Host-authjs.session-token=abc; ${SESSION_RENEWED_COOKIE}=1`),
    );
    expect(planted.cookies.get(`__Host-${SESSION_RENEWED_COOKIE}`)).toMatchObject({
      secure: true,
      path: "/",
    });
  });

  it("rolls the session cookie's expiry forward by the session's maxAge, and marks it renewed for a day", async () => {
    const { proxy, authConfig, SESSION_RENEWED_COOKIE } = await loadProxy("http://127.0.0.1:3000");
    const response = proxy(dashboard("http://127.0.0.1:3000", "authjs.session-token=abc"));
    expect(response.headers.get("location")).toBeNull();
    const session = response.cookies.get("authjs.session-token");
    expect(session?.value).toBe("abc");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    const expires = new Date(session!.expires!).getTime();
    expect(Math.abs(expires - (Date.now() + authConfig.session.maxAge * 1000))).toBeLessThan(60_000);
    expect(response.cookies.get(SESSION_RENEWED_COOKIE)?.maxAge).toBe(authConfig.session.updateAge);
  });

  it("under https, counts only the __Host- session cookie: a plain or a Domain-scoped __Secure- one signs nobody in", async () => {
    const { proxy } = await loadProxy("https://app.example.com");
    // A sibling subdomain can set `__Secure-authjs.session-token; Domain=example.com`; the browser sends it here.
    for (const planted of ["authjs.session-token=planted", "__Secure-authjs.session-token=planted"]) {
      const response = proxy(dashboard("https://app.example.com", planted));
      expect(new URL(response.headers.get("location")!).pathname).toBe("/");
      expect(response.cookies.getAll()).toEqual([]);
    }
    const genuine = proxy(dashboard("https://app.example.com", "__Host-authjs.session-token=abc"));
    expect(genuine.cookies.get("__Host-authjs.session-token")).toMatchObject({
      value: "abc",
      secure: true,
      path: "/",
    });
    expect(genuine.cookies.get("__Host-authjs.session-token")?.domain).toBeUndefined();
  });
});
