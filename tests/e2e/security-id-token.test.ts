/**
 * A malicious or compromised authorization server: forged id_tokens (the OpenID Foundation's rp-id_token-*
 * and rp-nonce-* relying-party tests), key rotation, a userinfo answer about somebody else, and hostile
 * profile claims. The local Make stand-in forges each answer (`mock.controls.tamper`); a refused sign-in
 * lands on the error page, leaves no session cookie and writes nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { IdTokenTamper } from "@/make-mock/id-token-tamper";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { expectRefused, rowCounts, startSignIn, type RowCounts } from "../support/sign-in-attempts";
import { startStack, type Stack } from "../support/stack";

let browser: Browser;
let stack: Stack;
let contexts: BrowserContext[] = [];
let before: RowCounts;

beforeAll(async () => {
  [browser, stack] = await Promise.all([launchBrowser(), startStack({ client: "confidential" })]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});
beforeEach(async () => {
  stack.mock.controls.reset();
  before = await rowCounts(stack);
  return async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  };
});

/** A whole sign-in in a fresh browser, up to wherever the app sends it. */
async function signIn(login = "ada"): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await startSignIn(page, stack.app.url);
  await completeMakeLogin(page, { login });
  await page.waitForURL((url) => url.pathname === "/dashboard" || url.pathname === "/auth/error");
  return page;
}

async function expectForgedIdTokenRefused(tamper: IdTokenTamper) {
  stack.mock.controls.tamper({ idToken: tamper });
  const page = await signIn();
  expect(stack.mock.controls.stats().tampered.idToken).toBe(1);
  await expectRefused(page, stack, before, "id_token_invalid");
}

describe("id_token", () => {
  it("refuses an id_token issued to another client (wrong `aud`)", () => expectForgedIdTokenRefused("wrong_aud"));
  it("refuses an id_token from another issuer (wrong `iss`)", () => expectForgedIdTokenRefused("wrong_iss"));
  it("refuses an expired id_token", () => expectForgedIdTokenRefused("expired"));
  it("refuses an unsigned id_token (`alg: none`)", () => expectForgedIdTokenRefused("alg_none"));
  it("refuses an id_token carrying a nonce this browser did not send", () => expectForgedIdTokenRefused("wrong_nonce"));
  it("refuses an id_token without the nonce this browser sent", () => expectForgedIdTokenRefused("no_nonce"));

  // oauth4webapi (under Auth.js) checks neither the signature of an id_token from the token endpoint nor
  // `iat`; lib/make/id-token.ts does, against Make's JWKS.
  it("refuses an id_token whose signature does not verify", () => expectForgedIdTokenRefused("bad_signature"));
  it("refuses an id_token signed with a key Make does not publish", () => expectForgedIdTokenRefused("unknown_key"));
  it("refuses an id_token issued a day in the future (`iat`)", () => expectForgedIdTokenRefused("future_iat"));

  it("signs in after Make rotates its signing key", async () => {
    const { kid } = await stack.mock.controls.rotateKeys();
    expect(kid).toMatch(/^mock-/);
    const page = await signIn();
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1001");
  });

  it("verifies the id_token with Make's JWKS, fetched again for a new signing key", async () => {
    await stack.mock.controls.rotateKeys();
    const page = await signIn();
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(stack.mock.controls.stats().jwks).toBeGreaterThan(0);
  });
});

describe("userinfo", () => {
  it("refuses a profile whose `sub` differs from the id_token's", async () => {
    stack.mock.controls.tamper({ userinfoSub: "1002" });
    const page = await signIn();
    expect(stack.mock.controls.stats().tampered.userinfo).toBe(1);
    await expectRefused(page, stack, before, "userinfo_mismatch");
  });

  it("shows hostile claims (markup, a 500-character email) as text, without breaking the layout", async () => {
    const dialogs: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await startSignIn(page, stack.app.url);
    await completeMakeLogin(page, { login: "mallory" });
    await page.waitForURL(`${stack.app.url}/dashboard`);

    const card = page.locator("section", { has: page.locator('[data-claim="sub"]') });
    expect(await card.locator('[data-claim="name"]').innerText()).toBe("<img src=x onerror=alert(1)>");
    expect(await card.locator('[data-claim="email"]').innerText()).toMatch(/^"><script>alert\(2\)<\/script>m+@example\.com$/);
    expect(await card.getByText("<b>Mallory & Co</b>").count()).toBe(1);
    expect(await card.locator("img, script, b").count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    const box = await card.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1024);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    expect(dialogs).toEqual([]);
  });
});
