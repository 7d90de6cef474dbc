/**
 * Attacks on the authorization response, Make's redirect back to /api/auth/callback/make (RFC 9700 §4.1–4.5,
 * RFC 9207). Each test holds Make's real answer in a real browser, then alters, replays or misdelivers it.
 * A refused response lands on the error page, leaves no session cookie and writes nothing.
 * Denied consent (`error=access_denied`) is covered in sign-in.test.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { FOREIGN_ISSUER } from "@/make-stand-in/id-token-tamper";
import { STAND_IN_CLIENTS } from "@/make-stand-in/server";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import {
  callbackUrlOf,
  cookieHeader,
  expectRefused,
  holdAuthorizationResponse,
  rowCounts,
  startSignIn,
  type RowCounts,
} from "../support/sign-in-attempts";

// With AUTH_MAKE_NONCE=true, so the nonce is part of what is checked (by default none is sent: docs/security.md, "nonce").
const e2e = useBrowserAndStack({ client: "confidential", env: { AUTH_MAKE_NONCE: "true" } });
const newPage = () => e2e.newPage();
let before: RowCounts;

beforeEach(async () => {
  before = await rowCounts(e2e.stack);
});

/** The held response with some parameters changed (undefined removes one). */
function altered(response: URL, changes: Record<string, string | undefined>): string {
  const url = new URL(response);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return url.href;
}

describe("the authorization request", () => {
  it("asks Make for a code with PKCE S256, a fresh state and nonce each time, and the registered redirect_uri", async () => {
    const requests: URLSearchParams[] = [];
    for (const _ of [1, 2]) {
      const page = await newPage();
      const sent = page.waitForRequest((request) => request.url().includes("/oauth/v2/authorize?"));
      await startSignIn(page, e2e.stack.app.url);
      requests.push(new URL((await sent).url()).searchParams);
    }
    for (const params of requests) {
      expect(Object.fromEntries(params)).toMatchObject({
        response_type: "code",
        client_id: STAND_IN_CLIENTS.confidential.clientId,
        redirect_uri: callbackUrlOf(e2e.stack.app.url),
        code_challenge_method: "S256",
      });
      expect(params.get("code_challenge")).toMatch(/^[\w-]{43}$/);
      expect(params.get("scope")?.split(" ")).toContain("openid");
      expect(params.get("state")!.length).toBeGreaterThanOrEqual(32);
      expect(params.get("nonce")!.length).toBeGreaterThanOrEqual(32);
      expect(params.has("response_mode")).toBe(false);
    }
    for (const name of ["state", "nonce", "code_challenge"])
      expect(requests[0]!.get(name)).not.toBe(requests[1]!.get(name));
    expect(await rowCounts(e2e.stack)).toEqual(before);
  });
});

describe("state (CSRF protection of the redirect)", () => {
  it("refuses a response without `state`", async () => {
    const page = await newPage();
    const response = await holdAuthorizationResponse(page, e2e.stack.app.url);
    await page.goto(altered(response, { state: undefined }));
    await expectRefused(page, e2e.stack, before, "state_mismatch");
  });

  it("refuses a response whose `state` was altered", async () => {
    const page = await newPage();
    const response = await holdAuthorizationResponse(page, e2e.stack.app.url);
    const state = response.searchParams.get("state")!;
    const middle = Math.floor(state.length / 2);
    const flipped = `${state.slice(0, middle)}${state[middle] === "A" ? "B" : "A"}${state.slice(middle + 1)}`;
    await page.goto(altered(response, { state: flipped }));
    await expectRefused(page, e2e.stack, before, "state_mismatch");
  });

  it("refuses a response from a sign-in another browser started (login CSRF)", async () => {
    const attacker = await newPage();
    const response = await holdAuthorizationResponse(attacker, e2e.stack.app.url, "mallory");
    const victim = await newPage();
    await startSignIn(victim, e2e.stack.app.url); // the victim's browser has its own state cookie
    await victim.goto(response.href);
    await expectRefused(victim, e2e.stack, before, "state_mismatch");
  });
});

describe("iss (mix-up protection, RFC 9207)", () => {
  // Make's discovery announces no `iss` (RFC 9207); a response without one is refused only where discovery
  // promises it: tests/e2e/security-iss-announced.test.ts runs against a stand-in that does.
  const cases = [["whose `iss` names another server", FOREIGN_ISSUER]] as const;
  for (const [title, authorizationIss] of cases) {
    it(`refuses a response ${title}`, async () => {
      e2e.stack.standIn.controls.tamper({ authorizationIss });
      const page = await newPage();
      await startSignIn(page, e2e.stack.app.url);
      await completeMakeLogin(page, { login: "ada" });
      await expectRefused(page, e2e.stack, before, "issuer_mismatch");
      expect(e2e.stack.standIn.controls.stats().grants.authorization_code).toBe(0);
    });
  }
});

describe("the authorization code", () => {
  it("signs in once with a code and refuses the same code replayed with the same cookies", async () => {
    const page = await newPage();
    const response = await holdAuthorizationResponse(page, e2e.stack.app.url);
    const cookie = await cookieHeader(page.context(), e2e.stack.app.url);
    const deliver = () => fetch(response, { headers: { cookie }, redirect: "manual" });

    const first = await deliver();
    expect(first.headers.get("location")).toBe(`${e2e.stack.app.url}/dashboard`);
    expect(first.headers.getSetCookie().some((line) => line.startsWith("authjs.session-token="))).toBe(true);
    const afterFirst = await rowCounts(e2e.stack);
    expect(afterFirst.sessions).toBe(before.sessions + 1);

    const replay = await deliver();
    expect(replay.headers.get("location")).toBe(`${e2e.stack.app.url}/auth/error?reason=code_rejected`);
    expect(replay.headers.getSetCookie().some((line) => line.startsWith("authjs.session-token="))).toBe(
      false,
    );
    expect(await rowCounts(e2e.stack)).toEqual(afterFirst);
    expect(e2e.stack.standIn.controls.stats().grants.authorization_code).toBe(2);
    await page.goto(replay.headers.get("location")!);
    expect(await page.locator("[data-sign-in-error]").getAttribute("data-sign-in-error")).toBe(
      "code_rejected",
    );
  });

  it("refuses a code injected into another browser's sign-in (the PKCE verifier does not match)", async () => {
    const victim = await newPage();
    const stolen = await holdAuthorizationResponse(victim, e2e.stack.app.url, "ada");
    const attacker = await newPage();
    const own = await holdAuthorizationResponse(attacker, e2e.stack.app.url, "mallory");
    // The attacker's own state (so the state check passes) with the victim's code.
    await attacker.goto(altered(own, { code: stolen.searchParams.get("code")! }));
    await expectRefused(attacker, e2e.stack, before, "code_rejected");
    expect(e2e.stack.standIn.controls.stats().grants.authorization_code).toBe(1);
  });
});
