/**
 * A malicious or compromised authorization server: forged id_tokens (the OpenID Foundation's rp-id_token-*
 * and rp-nonce-* relying-party tests), key rotation, a userinfo answer about somebody else, and hostile
 * profile claims. The local Make stand-in forges each answer (`standIn.controls.tamper`); a refused sign-in
 * lands on the error page, leaves no session cookie and writes nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { IdTokenTamper } from "@/make-stand-in/id-token-tamper";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { expectRefused, rowCounts, startSignIn, type RowCounts } from "../support/sign-in-attempts";

// With AUTH_MAKE_NONCE=true, the setting that requires the nonce (rp-nonce-*); by default none is sent and
// tests/e2e/make-api.test.ts signs in against a Make that ignores it.
const e2e = useBrowserAndStack({ client: "confidential", env: { AUTH_MAKE_NONCE: "true" } });
let before: RowCounts;

beforeEach(async () => {
  before = await rowCounts(e2e.stack);
});

/** A whole sign-in in a fresh browser, up to wherever the app sends it. */
async function signIn(login = "ada"): Promise<Page> {
  const page = await e2e.newPage();
  await startSignIn(page, e2e.stack.app.url);
  await completeMakeLogin(page, { login });
  await page.waitForURL((url) => url.pathname === "/dashboard" || url.pathname === "/auth/error");
  return page;
}

async function expectForgedIdTokenRefused(tamper: IdTokenTamper) {
  e2e.stack.standIn.controls.tamper({ idToken: tamper });
  const page = await signIn();
  expect(e2e.stack.standIn.controls.stats().tampered.idToken).toBe(1);
  await expectRefused(page, e2e.stack, before, "id_token_invalid");
}

describe("id_token", () => {
  it("refuses an id_token issued to another client (wrong `aud`)", () =>
    expectForgedIdTokenRefused("wrong_aud"));
  it("refuses an id_token from another issuer (wrong `iss`)", () => expectForgedIdTokenRefused("wrong_iss"));
  it("refuses an expired id_token", () => expectForgedIdTokenRefused("expired"));
  it("refuses an unsigned id_token (`alg: none`)", () => expectForgedIdTokenRefused("alg_none"));
  it("refuses an id_token carrying a nonce this browser did not send", () =>
    expectForgedIdTokenRefused("wrong_nonce"));
  it("refuses an id_token without the nonce this browser sent", () => expectForgedIdTokenRefused("no_nonce"));

  // oauth4webapi (under Auth.js) checks neither the signature of an id_token from the token endpoint nor
  // `iat`; lib/make/sign-in/id-token.ts does, against Make's JWKS.
  it("refuses an id_token whose signature does not verify", () =>
    expectForgedIdTokenRefused("bad_signature"));
  it("refuses an id_token signed with a key Make does not publish", () =>
    expectForgedIdTokenRefused("unknown_key"));
  it("refuses an id_token issued a day in the future (`iat`)", () =>
    expectForgedIdTokenRefused("future_iat"));
  it("refuses an id_token without `aud`", () => expectForgedIdTokenRefused("no_aud"));
  it("refuses an id_token without `sub`", () => expectForgedIdTokenRefused("no_sub"));
  it("refuses an id_token without `iat`", () => expectForgedIdTokenRefused("no_iat"));

  // Before any rotation below: the JWKS holds one key, which a header without `kid` can only mean.
  it("signs in with an id_token whose header names no `kid` while Make publishes one key", async () => {
    e2e.stack.standIn.controls.tamper({ idToken: "no_kid" });
    const page = await signIn();
    expect(e2e.stack.standIn.controls.stats().tampered.idToken).toBe(1);
    expect(new URL(page.url()).pathname).toBe("/dashboard");
  });

  it("signs in after Make rotates its signing key", async () => {
    const { kid } = await e2e.stack.standIn.controls.rotateKeys();
    expect(kid).toMatch(/^stand-in-/);
    const page = await signIn();
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1001");
  });

  it("verifies the id_token with Make's JWKS, fetched again for a new signing key", async () => {
    await e2e.stack.standIn.controls.rotateKeys();
    const page = await signIn();
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(e2e.stack.standIn.controls.stats().jwks).toBeGreaterThan(0);
  });

  it("refuses an id_token without `kid` while Make publishes several keys: which one signed it is unknown", () =>
    expectForgedIdTokenRefused("no_kid"));

  it("signs in after Make rotates its key and no longer publishes the old one", async () => {
    const { kid } = await e2e.stack.standIn.controls.rotateKeys({ retireOld: true });
    const jwks = (await (await fetch(`${e2e.stack.standIn.issuer}/oauth/v2/oidc/jwks`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    expect(jwks.keys.map((key) => key.kid)).toEqual([kid]);
    const page = await signIn();
    expect(new URL(page.url()).pathname).toBe("/dashboard");
  });
});

describe("userinfo", () => {
  // Sign-in stands on the id_token alone (Make promises only `sub` in it), so userinfo is asked afterwards:
  // an answer about somebody else is refused there and never shown as this user's profile.
  it("never shows a userinfo profile whose `sub` differs from the id_token's", async () => {
    e2e.stack.standIn.controls.tamper({ userinfoSub: "1002" });
    const page = await signIn();
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    await page.locator("[data-profile-unavailable]").waitFor();
    expect(e2e.stack.standIn.controls.stats().tampered.userinfo).toBe(1);
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1001");
    expect(await page.locator("[data-profile-unavailable]").innerText()).toContain(
      "userinfo endpoint did not answer as expected",
    );
    // The profile shown is Make's /users/me for the signed-in account, not userinfo's other user.
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");
  });

  it("shows hostile claims (markup, a 500-character email) as text, without breaking the layout", async () => {
    const dialogs: string[] = [];
    const page = await e2e.newPage({ viewport: { width: 1024, height: 768 } });
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await startSignIn(page, e2e.stack.app.url);
    await completeMakeLogin(page, { login: "mallory" });
    await page.waitForURL(`${e2e.stack.app.url}/dashboard`);

    const card = page.locator("section", { has: page.locator('[data-claim="sub"]') });
    expect(await card.locator('[data-claim="name"]').innerText()).toBe("<img src=x onerror=alert(1)>");
    expect(await card.locator('[data-claim="email"]').innerText()).toMatch(
      /^"><script>alert\(2\)<\/script>m+@example\.com$/,
    );
    expect(await card.getByText("<b>Mallory & Co</b>").count()).toBe(1);
    expect(await card.locator("img, script, b").count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    const box = await card.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1024);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    expect(dialogs).toEqual([]);
  });
});
