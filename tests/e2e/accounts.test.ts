/**
 * One Make account per user, as a person meets it: a Reconnect that comes back as another Make user is
 * refused on a page that names the connected one and changes nothing, and nobody's Make account is touched
 * by a sign-in Auth.js refuses. Also: the session rolls forward in the database and in the browser, and a
 * changed AUTH_SECRET (without TOKEN_ENCRYPTION_KEY) costs users their Make connection, not their access.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { STAND_IN_CLIENTS } from "@/make-stand-in/server";
import { startAppServer } from "../support/app-server";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { rowCounts } from "../support/sign-in-attempts";
import type { Stack } from "../support/stack";

const setup = useBrowserAndStack({ client: "confidential" });
const connectionState = (page: Page) =>
  page.locator("[data-connection-state]").getAttribute("data-connection-state");

async function signIn(page: Page, appUrl: string, login: string) {
  await page.goto(appUrl);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login });
  await page.waitForURL(`${appUrl}/dashboard`);
}

/** Forgets the stand-in's login in this browser, so the next trip to Make asks who is signing in. */
const logOutOfMake = (context: BrowserContext, stack: Stack) =>
  context.clearCookies({ domain: new URL(stack.standIn.issuer).hostname });

const accountOf = async (stack: Stack, sub: string) =>
  (await stack.query(`SELECT * FROM "Account" WHERE "providerAccountId" = $1`, [sub]))[0];

describe("one Make account per user", () => {
  let context: BrowserContext;
  let ada: Page;

  beforeAll(async () => {
    context = await setup.browser.newContext();
    ada = await context.newPage();
    await signIn(ada, setup.stack.app.url, "ada");
  });
  afterAll(() => context?.close());

  it("refuses a Reconnect as another Make user after Revoke, names the connected one, and changes nothing", async () => {
    const { stack } = setup;
    await ada.getByRole("button", { name: "Revoke", exact: true }).click();
    await ada.locator('[data-connection-state="revoked"]').waitFor();
    const before = { row: await accountOf(stack, "1001"), counts: await rowCounts(stack) };

    await logOutOfMake(ada.context(), stack);
    await ada.getByRole("button", { name: "Reconnect" }).click();
    await completeMakeLogin(ada, { login: "mallory" });
    await ada.waitForURL(`${stack.app.url}/auth/account-mismatch`);

    expect(await ada.getByRole("heading").innerText()).toBe("You signed in to Make as a different user");
    expect(await ada.locator("[data-connected-make-user]").innerText()).toBe("1001");
    expect(await ada.getByText("revoke the connection on your dashboard first").isVisible()).toBe(true);
    expect(await ada.getByText("sign out of this app and sign in with that Make account").isVisible()).toBe(
      true,
    );
    expect(await rowCounts(stack)).toEqual(before.counts);
    expect(await stack.query(`SELECT "providerAccountId" FROM "Account"`)).toEqual([
      { providerAccountId: "1001" },
    ]);
    expect(await accountOf(stack, "1001")).toEqual(before.row);

    await ada.goto(`${stack.app.url}/dashboard`);
    expect(await connectionState(ada)).toBe("revoked");
  });

  it("leaves another user's Make account untouched when a signed-in user completes that user's Make login", async () => {
    const { stack } = setup;
    const mallory = await setup.newPage();
    await signIn(mallory, stack.app.url, "mallory");
    const before = {
      row: await accountOf(stack, "1003"),
      ada: await accountOf(stack, "1001"),
      counts: await rowCounts(stack),
    };
    expect(before.row).toMatchObject({ state: "active" });

    await logOutOfMake(ada.context(), stack);
    await ada.goto(`${stack.app.url}/dashboard`);
    await ada.getByRole("button", { name: "Reconnect" }).click();
    await completeMakeLogin(ada, { login: "mallory" });
    // Refused before Auth.js looks at the account (her own Make user is another one), so no write was possible.
    await ada.waitForURL(`${stack.app.url}/auth/account-mismatch`);
    expect(await ada.locator("[data-connected-make-user]").innerText()).toBe("1001");

    expect(await accountOf(stack, "1003")).toEqual(before.row);
    expect(await accountOf(stack, "1001")).toEqual(before.ada);
    expect(await rowCounts(stack)).toEqual(before.counts);
    await mallory.reload();
    expect(await connectionState(mallory)).toBe("active");
  });
});

describe("rolling sessions", () => {
  it("extends the session in the database and the session cookie's expiry in the browser", async () => {
    const { stack } = setup;
    const page = await setup.newPage();
    await signIn(page, stack.app.url, "sub-only");
    const context = page.context();
    const soon = Math.floor(Date.now() / 1000) + 2 * 24 * 3600;
    const [session] = (await context.cookies(stack.app.url)).filter(
      (cookie) => cookie.name === "authjs.session-token",
    );
    // A session last extended four weeks ago: two days left, in the database and in the browser.
    const ofUser = `"userId" = (SELECT "userId" FROM "Account" WHERE "providerAccountId" = '1002')`;
    await stack.query(`UPDATE "Session" SET expires = to_timestamp($1) WHERE ${ofUser}`, [soon]);
    await context.clearCookies({ name: "session-renewed" });
    await context.addCookies([{ ...session!, expires: soon }]);

    await page.goto(`${stack.app.url}/dashboard`);
    const thirtyDays = Date.now() / 1000 + 30 * 24 * 3600;
    const cookie = (await context.cookies(stack.app.url)).find((c) => c.name === "authjs.session-token");
    expect(cookie?.value).toBe(session!.value);
    expect(Math.abs(cookie!.expires - thirtyDays)).toBeLessThan(120);
    await expect
      .poll(async () => {
        const [row] = await stack.query<{ e: string }>(
          `SELECT extract(epoch FROM expires) AS e FROM "Session" WHERE ${ofUser}`,
        );
        return Number(row!.e);
      })
      .toBeGreaterThan(thirtyDays - 120);
  });
});

describe("a changed AUTH_SECRET without TOKEN_ENCRYPTION_KEY", () => {
  it("leaves every Make connection untouched and unavailable until a Reconnect, and users still sign in", async () => {
    const { stack } = setup;
    const page = await setup.newPage();
    await signIn(page, stack.app.url, "ada");
    expect(await connectionState(page)).toBe("active");

    const port = Number(new URL(stack.app.url).port);
    await stack.app.close();
    const restarted = await startAppServer({
      port,
      env: {
        DATABASE_URL: stack.databaseUrl,
        AUTH_SECRET: "a-brand-new-secret-".padEnd(48, "z"),
        AUTH_URL: stack.app.url,
        AUTH_MAKE_ISSUER: stack.standIn.issuer,
        MAKE_API_URL: `${stack.standIn.url}/api/v2`,
        AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
        AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
      },
    });
    stack.apps[0] = restarted;
    Object.assign(stack, { app: restarted });

    // Ada's session survives (it is not encrypted). Her Make tokens are sealed under the old secret's key,
    // which this server does not hold: they are left as they are (a server with the old key still reads
    // them), the connection reads as temporarily unavailable, and Reconnect is offered.
    const [before] = await stack.query<{ refresh_token: string }>(
      `SELECT refresh_token FROM "Account" WHERE "providerAccountId" = '1001'`,
    );
    await page.reload();
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-status="key-unavailable"]').innerText()).toContain("cannot read");
    const [after] = await stack.query<{ refresh_token: string }>(
      `SELECT refresh_token FROM "Account" WHERE "providerAccountId" = '1001'`,
    );
    expect(after?.refresh_token).toBe(before?.refresh_token);
    await page.getByRole("button", { name: "Reconnect" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${stack.app.url}/dashboard`);
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-status="key-unavailable"]').count()).toBe(0);

    // Mallory's tokens too were written under the old secret: she signs in from a fresh browser.
    const mallory = await setup.newPage();
    await signIn(mallory, stack.app.url, "mallory");
    expect(await connectionState(mallory)).toBe("active");
  });
});
