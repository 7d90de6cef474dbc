import { afterEach, describe, expect, it, vi } from "vitest";
import * as oauth from "oauth4webapi";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { classifySignInError } from "@/lib/auth/sign-in-errors";

describe("safeRedirectPath", () => {
  it("keeps paths on this site", () => {
    expect(safeRedirectPath("/dashboard?tab=1")).toBe("/dashboard?tab=1");
  });

  for (const hostile of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "dashboard", "/\nset-cookie"]) {
    it(`refuses ${JSON.stringify(hostile)}`, () => {
      expect(safeRedirectPath(hostile)).toBe("/dashboard");
    });
  }
});

describe("classifySignInError", () => {
  const wrapped = (err: unknown) => Object.assign(new Error("callback failed"), { type: "CallbackRouteError", cause: { err } });

  it("reads a state problem from Auth.js's InvalidCheck", () => {
    expect(classifySignInError(Object.assign(new Error("state value could not be parsed"), { type: "InvalidCheck" }))).toBe(
      "state_mismatch",
    );
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
    expect(classifySignInError(Object.assign(new Error("x"), { type: "OAuthAccountNotLinked" }))).toBe("account_in_use");
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
    const request = new Request("http://localhost:3000/api/auth/callback/make", { headers: { host: "localhost:3000" } });
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
    const request = new Request("http://localhost:3100/api/auth/signin", { headers: { host: "127.0.0.1:3100" } });
    expect(publicOrigin(request)).toBe("http://127.0.0.1:3100");
  });
});

describe("proxy matcher", () => {
  it("skips the proxy for exactly the session cookies Auth.js sets, so signed-in requests never run it", async () => {
    const { config } = await import("@/proxy");
    const { SESSION_COOKIES } = await import("@/auth.config");
    const keys = config.matcher.flatMap((entry) => entry.missing.map((condition) => condition.key));
    expect(keys.sort()).toEqual([...SESSION_COOKIES].sort());
  });
});
