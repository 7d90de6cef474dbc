/**
 * The `iss` authorization response parameter (RFC 9207, mix-up protection) against a Make whose discovery
 * announces it. Make's own discovery does not (tests/e2e/security-authorization-response.test.ts covers
 * that default); where it does, a response without `iss` must be refused.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { expectRefused, rowCounts, startSignIn, type RowCounts } from "../support/sign-in-attempts";

const e2e = useBrowserAndStack({ client: "confidential", standIn: { issInAuthorizationResponse: true } });
let before: RowCounts;

beforeEach(async () => {
  before = await rowCounts(e2e.stack);
});

describe("iss, when Make's discovery announces it", () => {
  it("signs in with the genuine `iss`", async () => {
    const page = await e2e.newPage();
    await startSignIn(page, e2e.stack.app.url);
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${e2e.stack.app.url}/dashboard`);
  });

  it("refuses a response without `iss` when Make's discovery promises one", async () => {
    e2e.stack.standIn.controls.tamper({ authorizationIss: null });
    const page = await e2e.newPage();
    await startSignIn(page, e2e.stack.app.url);
    await completeMakeLogin(page, { login: "ada" });
    await expectRefused(page, e2e.stack, before, "issuer_mismatch");
    expect(e2e.stack.standIn.controls.stats().grants.authorization_code ?? 0).toBe(0);
  });
});
