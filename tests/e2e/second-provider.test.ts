/**
 * The generic OpenID Connect provider (AUTH_OIDC_*, company SSO) beside Make, served by an OpenID
 * Provider on an origin of its own (127.0.0.1, where Make's stand-in is on localhost), so the sign-in
 * also proves the Content-Security-Policy names it. It goes through Auth.js's adapter as it is: nothing
 * about it is stored as Make, its user sees "not connected" with a "Connect Make" action, and connecting
 * Make afterwards works.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "@/make-stand-in/server";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { freePort } from "../support/ports";

const second = STAND_IN_CLIENTS.secondProvider;
let companySso: MakeStandIn | undefined;
const setup = useBrowserAndStack({
  client: "confidential",
  async envForApps(appUrls) {
    const port = await freePort();
    companySso = await startMakeStandIn({
      port,
      issuer: `http://127.0.0.1:${port}`,
      redirectUris: appUrls.map((url) => `${url}/api/auth/callback/make`),
      quiet: true,
    });
    return {
      AUTH_OIDC_ISSUER: companySso.issuer,
      AUTH_OIDC_ID: second.clientId,
      AUTH_OIDC_SECRET: second.clientSecret,
      AUTH_OIDC_NAME: "Company SSO",
    };
  },
});
afterAll(() => companySso?.close());
const connectionState = (page: Page) =>
  page.locator("[data-connection-state]").getAttribute("data-connection-state");

/** The landing page's button for the provider; the browser is sent to its own origin. */
async function signInWithSecondProvider(page: Page, appUrl: string) {
  await page.goto(appUrl);
  await page.getByRole("button", { name: "Sign in with Company SSO" }).click();
  await page.waitForURL((url) => url.origin === companySso!.issuer);
}

describe("a second sign-in provider", () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await setup.browser.newContext();
    page = await context.newPage();
  });
  afterAll(() => context?.close());

  it("signs in, and stores nothing about it as Make", async () => {
    const { stack } = setup;
    await signInWithSecondProvider(page, stack.app.url);
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${stack.app.url}/dashboard`);

    const accounts = await stack.query(
      `SELECT provider, "providerAccountId", issuer, "clientType" FROM "Account"`,
    );
    expect(accounts).toEqual([
      { provider: second.providerId, providerAccountId: "1001", issuer: null, clientType: null },
    ]);
    expect(await stack.query(`SELECT kind FROM "ConnectionEvent"`)).toEqual([]);
    expect((await companySso!.controls.stats()).grants.authorization_code).toBe(1);
    expect((await stack.standIn.controls.stats()).grants.authorization_code ?? 0).toBe(0);
  });

  it("shows the Make connection as not connected, with a Connect Make action", async () => {
    expect(await connectionState(page)).toBe("not_connected");
    expect(await page.getByRole("button", { name: "Connect Make" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Revoke", exact: true }).count()).toBe(0);
  });

  it("refuses to connect another user's Make account, and leaves that account untouched", async () => {
    const { stack } = setup;
    const other = await setup.newPage();
    await other.goto(stack.app.url);
    await other.getByRole("button", { name: "Sign in with Make" }).click();
    await completeMakeLogin(other, { login: "mallory" });
    await other.waitForURL(`${stack.app.url}/dashboard`);
    const before = await stack.query(`SELECT * FROM "Account" WHERE provider = 'make'`);
    const events = await stack.query(`SELECT * FROM "ConnectionEvent" ORDER BY id`);

    await context.clearCookies({ domain: new URL(stack.standIn.issuer).hostname }); // log out of Make
    await page.getByRole("button", { name: "Connect Make" }).click();
    await completeMakeLogin(page, { login: "mallory" });
    await page.waitForURL(`${stack.app.url}/auth/error?reason=account_in_use`);
    expect(await stack.query(`SELECT * FROM "Account" WHERE provider = 'make'`)).toEqual(before);
    expect(await stack.query(`SELECT * FROM "ConnectionEvent" ORDER BY id`)).toEqual(events);
  });

  it("connects Make to the same user afterwards", async () => {
    const { stack } = setup;
    await page.goto(`${stack.app.url}/dashboard`);
    await context.clearCookies({ domain: new URL(stack.standIn.issuer).hostname });
    await page.getByRole("button", { name: "Connect Make" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${stack.app.url}/dashboard`);
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1001");

    const ofUser = `"userId" = (SELECT "userId" FROM "Account" WHERE provider = '${second.providerId}')`;
    const accounts = await stack.query(
      `SELECT provider, "providerAccountId" FROM "Account" WHERE ${ofUser} ORDER BY provider`,
    );
    expect(accounts).toEqual([
      { provider: "make", providerAccountId: "1001" },
      { provider: second.providerId, providerAccountId: "1001" },
    ]);
    expect(await stack.query(`SELECT kind FROM "ConnectionEvent" WHERE ${ofUser}`)).toEqual([
      { kind: "connected" },
    ]);
  });
});
