import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { startStack, type Stack } from "../support/stack";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const connectionState = (page: Page) =>
  page.locator("[data-connection-state]").getAttribute("data-connection-state");
const statusText = (page: Page, name: string) => page.locator(`[data-status="${name}"]`).innerText();

async function signIn(context: BrowserContext, stack: Stack, login = "ada") {
  const page = await context.newPage();
  await page.goto(stack.app.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login });
  await page.waitForURL(`${stack.app.url}/dashboard`);
  return page;
}

describe("as a confidential client", () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack({ client: "confidential" });
    context = await browser.newContext();
  });
  afterAll(async () => {
    await context?.close();
    await stack?.close();
  });

  it("shows the landing page with a sign-in button, and keeps the dashboard for signed-in users", async () => {
    const landing = await context.newPage();
    await landing.goto(`${stack.app.url}/dashboard`);
    expect(new URL(landing.url()).pathname).toBe("/");
    await expect(landing.getByRole("button", { name: "Sign in with Make" }).isVisible()).resolves.toBe(true);
    await landing.close();
  });

  it("signs in with Make and shows the identity and an active connection", async () => {
    page = await signIn(context, stack);
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1001");
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");
    expect(await page.locator('[data-claim="email"]').innerText()).toBe("ada@example.com");
    expect(await statusText(page, "client-type")).toBe("confidential");
    expect(await statusText(page, "refresh-token")).toBe("yes");
    expect(await statusText(page, "issuer")).toBe(stack.standIn.issuer);
    expect(await statusText(page, "scopes")).toContain("user:read");
    for (const name of ["Revoke", "Sign out"]) {
      expect(await page.getByRole("button", { name, exact: true }).isVisible()).toBe(true);
    }
    expect(await page.getByRole("button", { name: "Reconnect" }).count()).toBe(0);
  });

  it("keeps every token out of the session cookie and the page", async () => {
    const [account] = await stack.query<{ access_token: string; refresh_token: string }>(
      `SELECT access_token, refresh_token FROM "Account"`,
    );
    expect(account?.access_token).toMatch(/^enc:v2:/);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === "authjs.session-token");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    const html = await page.content();
    expect(html).not.toContain("enc:v");
    expect(cookies.map((cookie) => cookie.value).join(" ")).not.toContain("enc:v");
  });

  it("refreshes the access token once it is about to expire, and stays active", async () => {
    await stack.query(`UPDATE "Account" SET expires_at = $1`, [Math.floor(Date.now() / 1000) + 5]);
    const before = (await stack.standIn.controls.stats()).grants.refresh_token;
    await page.reload();
    expect(await connectionState(page)).toBe("active");
    expect((await stack.standIn.controls.stats()).grants.refresh_token).toBe(before + 1);
    expect(await statusText(page, "last-refreshed")).not.toBe("never");
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");
    await page.reload();
    expect((await stack.standIn.controls.stats()).grants.refresh_token).toBe(before + 1);
  });

  it("revokes the connection at Make and deletes the tokens", async () => {
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.locator('[data-connection-state="revoked"]').waitFor();
    const revocations = (await stack.standIn.controls.stats()).revocations;
    expect(revocations.map((entry) => entry.tokenTypeHint)).toEqual(["access_token", "refresh_token"]);
    expect(revocations[0]?.found).toBe(true);
    const [account] = await stack.query(`SELECT access_token, refresh_token, id_token, state FROM "Account"`);
    expect(account).toEqual({ access_token: null, refresh_token: null, id_token: null, state: "revoked" });
    expect(await page.getByRole("button", { name: "Reconnect" }).isVisible()).toBe(true);
  });

  it("reconnects and is active again", async () => {
    await page.getByRole("button", { name: "Reconnect" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${stack.app.url}/dashboard`);
    expect(await connectionState(page)).toBe("active");
    expect(await statusText(page, "refresh-token")).toBe("yes");
    expect((await stack.query(`SELECT count(*)::int AS n FROM "User"`))[0]).toEqual({ n: 1 });
  });

  it("signs out and the dashboard is closed again", async () => {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${stack.app.url}/`);
    expect((await stack.query(`SELECT count(*)::int AS n FROM "Session"`))[0]).toEqual({ n: 0 });
    await page.goto(`${stack.app.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe("/");
  });

  it("explains a denied consent and creates no session", async () => {
    const denied = await browser.newContext();
    const deniedPage = await denied.newPage();
    const sessionsBefore = await stack.query(`SELECT count(*)::int AS n FROM "Session"`);
    await deniedPage.goto(stack.app.url);
    await deniedPage.getByRole("button", { name: "Sign in with Make" }).click();
    await completeMakeLogin(deniedPage, { login: "ada" }, "Deny");
    await deniedPage.waitForURL(/\/auth\/error/);
    expect(await deniedPage.getByRole("heading").innerText()).toBe("You declined access");
    expect(await stack.query(`SELECT count(*)::int AS n FROM "Session"`)).toEqual(sessionsBefore);
    expect((await denied.cookies()).some((cookie) => cookie.name.includes("session-token"))).toBe(false);
    await denied.close();
  });
});

describe("as a public client (PKCE, no secret)", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ client: "public" });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("signs in with PKCE alone and reports that no refresh token is held", async () => {
    const context = await browser.newContext();
    const page = await signIn(context, stack, "sub-only");
    expect(await connectionState(page)).toBe("active");
    expect(await statusText(page, "client-type")).toBe("public");
    expect(await statusText(page, "refresh-token")).toBe("no");
    // Said plainly: without a refresh token the connection ends with the access token, 5 minutes at Make.
    expect(await page.locator('[data-status="public-client"]').innerText()).toContain(
      "5 minutes at Make, and then you reconnect",
    );
    expect(await page.locator('[data-claim="sub"]').innerText()).not.toBe("");
    expect(await page.locator('[data-claim="email"]').count()).toBe(0);
    expect((await stack.standIn.controls.stats()).grants.authorization_code).toBe(1);
    await context.close();
  });
});
