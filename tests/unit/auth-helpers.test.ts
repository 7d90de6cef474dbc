import { afterEach, describe, expect, it, vi } from "vitest";
import * as oauth from "oauth4webapi";
import { NextRequest } from "next/server";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { classifySignInError, withSignInErrorReasons } from "@/lib/make/sign-in-errors";
import { sessionCookieName } from "@/lib/auth/session-cookie";

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
  it("is __Secure-authjs.session-token when the app's URL is https, as Auth.js names it", () => {
    expect(sessionCookieName({ authUrl: "https://app.example.com" })).toBe("__Secure-authjs.session-token");
    expect(sessionCookieName({ forwardedProto: "https" })).toBe("__Secure-authjs.session-token");
    expect(sessionCookieName({ forwardedProto: null })).toBe("__Secure-authjs.session-token");
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

  it("enters the proxy only while the session cookie is not freshly renewed, so other requests never run it", async () => {
    const { config, SESSION_RENEWED_COOKIE } = await loadProxy("http://127.0.0.1:3000");
    const keys = config.matcher.flatMap((entry) => entry.missing.map((condition) => condition.key));
    expect(keys).toEqual([SESSION_RENEWED_COOKIE]);
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

  it("under https, counts only the __Secure- session cookie", async () => {
    const { proxy } = await loadProxy("https://app.example.com");
    const planted = proxy(dashboard("https://app.example.com", "authjs.session-token=planted"));
    expect(new URL(planted.headers.get("location")!).pathname).toBe("/");
    const genuine = proxy(dashboard("https://app.example.com", "__Secure-authjs.session-token=abc"));
    expect(genuine.cookies.get("__Secure-authjs.session-token")).toMatchObject({
      value: "abc",
      secure: true,
    });
  });
});
