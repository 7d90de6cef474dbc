/**
 * Hostile input at the edge: malformed cookies, oversized headers, query strings and bodies, malformed
 * parameters. Each must get a 4xx or the sign-in error page, never a 5xx, and the server keeps serving.
 */
import { afterEach, describe, expect, it } from "vitest";
import { useBrowserAndStack } from "../support/browser-stack";
import { expectRefused, holdAuthorizationResponse, rowCounts } from "../support/sign-in-attempts";

// With AUTH_MAKE_NONCE=true, so the nonce cookie is among the ones tampered with (by default none is sent).
const e2e = useBrowserAndStack({ client: "confidential", env: { AUTH_MAKE_NONCE: "true" } });

afterEach(async () => {
  // Whatever the case did, the server still answers.
  expect((await fetch(e2e.stack.app.url)).status).toBe(200);
});

const GARBAGE = [
  "garbage",
  "x".repeat(4000),
  "%E0%A4%A",
  "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..AAAA.BBBB.CCCC", // a JWE that does not decrypt
  "caf\u00e9\u00ff", // bytes outside ASCII
];

async function get(target: string, headers: Record<string, string> = {}) {
  return fetch(`${e2e.stack.app.url}${target}`, { headers, redirect: "manual" });
}

describe("malformed cookies", () => {
  it("treats a garbage session cookie as signed out: start page 200, dashboard redirected, session null", async () => {
    for (const value of GARBAGE) {
      const cookie = `authjs.session-token=${value}; __Secure-authjs.session-token=${value}`;
      const landing = await get("/", { cookie });
      expect(landing.status, value).toBe(200);
      const dashboard = await get("/dashboard", { cookie });
      expect(dashboard.status, value).toBe(307);
      expect(dashboard.headers.get("location"), value).toBe("/?callbackUrl=%2Fdashboard");
      const session = await get("/api/auth/session", { cookie });
      expect(session.status, value).toBe(200);
      expect(await session.json(), value).toBeNull();
    }
  });

  for (const name of ["authjs.state", "authjs.pkce.code_verifier", "authjs.nonce"]) {
    it(`refuses a sign-in whose ${name} cookie was replaced with garbage`, async () => {
      const page = await e2e.newPage();
      const response = await holdAuthorizationResponse(page, e2e.stack.app.url);
      await page.context().addCookies([{ name, value: "garbage", url: e2e.stack.app.url }]);
      const before = await rowCounts(e2e.stack);
      await page.goto(response.href);
      await expectRefused(page, e2e.stack, before, "state_mismatch");
    });
  }
});

describe("oversized and malformed requests", () => {
  it("answers a 20 KB Cookie header with 431", async () => {
    const response = await get("/", { cookie: `junk=${"x".repeat(20 * 1024)}` });
    expect(response.status).toBe(431);
  });

  it("answers a callback with a 12 KB query on the error page, and one of 100 KB with 4xx", async () => {
    const before = await rowCounts(e2e.stack);
    const medium = await get(`/api/auth/callback/make?code=${"c".repeat(12 * 1024)}&state=s`);
    expect(medium.status).toBe(302);
    expect(medium.headers.get("location")).toBe(`${e2e.stack.app.url}/auth/error?reason=state_mismatch`);
    const huge = await get(`/api/auth/callback/make?code=${"c".repeat(100 * 1024)}&state=s`);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    expect(await rowCounts(e2e.stack)).toEqual(before);
  });

  it("answers a callback with malformed or repeated parameters on the error page", async () => {
    for (const query of [
      "code=%E0%A4%A&state=%",
      "code=a&code=b&state=s&state=t",
      "error=%00%0d%0a",
      "code[]=a&state[$ne]=b",
    ]) {
      const response = await get(`/api/auth/callback/make?${query}`);
      expect(response.status, query).toBe(302);
      expect(response.headers.get("location"), query).toMatch(
        new RegExp(`^${e2e.stack.app.url}/auth/error\\?reason=\\w+$`),
      );
    }
  });

  it("refuses a genuine authorization response with a second, forged `code` appended", async () => {
    const page = await e2e.newPage();
    const response = await holdAuthorizationResponse(page, e2e.stack.app.url);
    response.searchParams.append("code", "forged-code");
    const before = await rowCounts(e2e.stack);
    await page.goto(response.href);
    // Auth.js keeps the last of repeated parameters, so the forged code goes to Make, which rejects it.
    await expectRefused(page, e2e.stack, before, "code_rejected");
  });

  it("answers a 2 MB form post to the auth endpoints and an unknown server action with 4xx or the error page", async () => {
    const body = new URLSearchParams({ csrfToken: "x".repeat(2 * 1024 * 1024) });
    for (const target of ["/api/auth/signin/make", "/api/auth/signout", "/api/auth/callback/make"]) {
      const response = await fetch(`${e2e.stack.app.url}${target}`, {
        method: "POST",
        body,
        redirect: "manual",
      });
      expect(response.status, target).toBeLessThan(500);
    }
    const action = await fetch(`${e2e.stack.app.url}/`, {
      method: "POST",
      headers: {
        "next-action": "0".repeat(42),
        origin: e2e.stack.app.url,
        "content-type": "text/plain;charset=UTF-8",
      },
      body: "[]",
    });
    expect(action.status).toBeLessThan(500);
  });

  it("answers unknown auth actions and providers with 4xx or the error page", async () => {
    for (const target of [
      "/api/auth/nope",
      "/api/auth/signin/evil",
      "/api/auth/callback/evil?code=a&state=b",
      "/api/auth/callback/MAKE",
    ]) {
      const response = await get(target);
      expect(response.status, target).toBeLessThan(500);
    }
  });
});
