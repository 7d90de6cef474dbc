import { describe, expect, it } from "vitest";
import * as oauth from "oauth4webapi";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { classifySignInError } from "@/lib/auth/sign-in-errors";
import { publicOrigin } from "@/lib/auth/public-url";

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
  it("follows the forwarded host and protocol when AUTH_URL is not set", () => {
    const request = new Request("http://localhost:3000/api/auth/callback/make", {
      headers: { "x-forwarded-host": "app.example.com", "x-forwarded-proto": "https" },
    });
    expect(publicOrigin(request)).toBe("https://app.example.com");
  });

  it("keeps a loopback IP the browser used instead of Next's localhost", () => {
    const request = new Request("http://localhost:3100/api/auth/signin", { headers: { host: "127.0.0.1:3100" } });
    expect(publicOrigin(request)).toBe("http://127.0.0.1:3100");
  });
});

describe("proxy matcher", () => {
  it("enters the proxy only while the session cookie is not freshly renewed, so other requests never run it", async () => {
    const { config } = await import("@/proxy");
    const { SESSION_RENEWED_COOKIE } = await import("@/auth.config");
    const keys = config.matcher.flatMap((entry) => entry.missing.map((condition) => condition.key));
    expect(keys).toEqual([SESSION_RENEWED_COOKIE]);
  });
});
