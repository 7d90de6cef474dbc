/**
 * Preview deployments sign in through the stable deployment (AUTH_REDIRECT_PROXY_URL, Auth.js's redirect
 * proxy). Make knows one callback, the stable one's; a preview names it in its authorization request, the
 * stable deployment forwards Make's answer to the preview that started the sign-in (its origin is sealed in
 * `state` with the shared AUTH_SECRET), and the preview completes the sign-in with its own state, PKCE
 * verifier and cookies. Each deployment has its own database, as a preview on its own database branch does.
 *
 * The stable deployment runs on 127.0.0.1 with AUTH_URL; previews on `*.localhost` hosts (Chromium resolves
 * them to the loopback) with no AUTH_URL, so their origin comes from the request as on Vercel, and each
 * host has its own cookies.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import pg from "pg";
import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "@/make-stand-in/server";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { startAppServer, type AppServer } from "../support/app-server";
import { freePort } from "../support/ports";
import { freshDatabase, type FreshDatabase } from "../support/postgres";
import { TEST_AUTH_SECRET } from "../support/stack";

let browser: Browser;
let standIn: MakeStandIn;
let stableDb: FreshDatabase;
let previewDb: FreshDatabase;
let stable: AppServer;
let preview: AppServer;
let previewPort: number;

const stableCallback = () => `${stable.url}/api/auth/callback/make`;
const previewOrigin = (name: string) => `http://${name}.localhost:${previewPort}`;

beforeAll(async () => {
  browser = await launchBrowser();
  [stableDb, previewDb] = await Promise.all([
    freshDatabase(inject("postgresUrl")),
    freshDatabase(inject("postgresUrl")),
  ]);
  const stablePort = await freePort();
  previewPort = await freePort();
  const stableUrl = `http://127.0.0.1:${stablePort}`;
  standIn = await startMakeStandIn({
    port: 0,
    redirectUris: [`${stableUrl}/api/auth/callback/make`],
    quiet: true,
  });
  const shared = {
    AUTH_SECRET: TEST_AUTH_SECRET,
    AUTH_REDIRECT_PROXY_URL: `${stableUrl}/api/auth`,
    AUTH_MAKE_ISSUER: standIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
    MAKE_API_URL: `${standIn.url}/api/v2`,
  };
  [stable, preview] = await Promise.all([
    startAppServer({ port: stablePort, env: { ...shared, DATABASE_URL: stableDb.url, AUTH_URL: stableUrl } }),
    startAppServer({ port: previewPort, env: { ...shared, DATABASE_URL: previewDb.url } }),
  ]);
});
afterAll(async () => {
  await Promise.all([stable?.close(), preview?.close()]);
  await standIn?.close();
  await Promise.all([stableDb?.drop(), previewDb?.drop()]);
  await browser?.close();
});

const sessions = async (database: FreshDatabase) =>
  (await query(database.url, `SELECT count(*)::int AS n FROM "Session"`))[0]!.n;
const connectionState = (page: Page) =>
  page.locator("[data-connection-state]").getAttribute("data-connection-state");

describe("sign-in on a preview deployment through the stable deployment's redirect proxy", () => {
  it("ends on the preview's own dashboard, active, though Make knows only the stable callback", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const visited: string[] = [];
    page.on("request", (request) => visited.push(request.url()));
    const origin = previewOrigin("feature-a");

    await page.goto(origin);
    await page.getByRole("button", { name: "Sign in with Make" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${origin}/dashboard`);
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");

    const authorize = new URL(visited.find((url) => url.includes("/oauth/v2/authorize"))!);
    expect(authorize.searchParams.get("redirect_uri")).toBe(stableCallback());
    const callbacks = visited
      .filter((url) => url.includes("/api/auth/callback/make"))
      .map((url) => new URL(url).origin);
    expect(callbacks).toEqual([stable.url, origin]);
    expect(await sessions(previewDb)).toBe(1);
    expect(await query(stableDb.url, `SELECT count(*)::int AS n FROM "User"`)).toEqual([{ n: 0 }]);
    await context.close();
  });

  it("shows the preview's own error page when consent is declined", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const origin = previewOrigin("feature-b");
    await page.goto(origin);
    await page.getByRole("button", { name: "Sign in with Make" }).click();
    await completeMakeLogin(page, { login: "ada" }, "Deny");
    await page.waitForURL(new RegExp(`^${origin.replaceAll(".", "\\.")}/auth/error`));
    expect(await page.getByRole("heading").innerText()).toBe("You declined access");
    await context.close();
  });

  it("refuses an id_token with a bad signature on the preview, with the preview's error page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const origin = previewOrigin("feature-e");
    const sessionsBefore = await sessions(previewDb);
    standIn.controls.tamper({ idToken: "bad_signature" });
    try {
      await page.goto(origin);
      await page.getByRole("button", { name: "Sign in with Make" }).click();
      await completeMakeLogin(page, { login: "ada" });
      await page.waitForURL(new RegExp(`^${origin.replaceAll(".", "\\.")}/auth/error`));
      expect(await page.locator("[data-sign-in-error]").getAttribute("data-sign-in-error")).toBe(
        "id_token_invalid",
      );
      expect(standIn.controls.stats().tampered.idToken).toBe(1);
      expect(await sessions(previewDb)).toBe(sessionsBefore);
    } finally {
      standIn.controls.reset();
      await context.close();
    }
  });

  it("refuses a forwarded answer in a browser or on an origin that did not start the sign-in", async () => {
    // A sign-in on one preview; Make's answer, as the stable deployment forwarded it there, is noted.
    const started = await browser.newContext();
    const page = await started.newPage();
    const origin = previewOrigin("feature-c");
    let forwarded: URL | undefined;
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin === origin && url.pathname === "/api/auth/callback/make") forwarded = url;
    });
    await page.goto(origin);
    await page.getByRole("button", { name: "Sign in with Make" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${origin}/dashboard`);
    await started.close();
    expect(forwarded?.searchParams.get("state")).toBeTruthy();
    const sessionsBefore = await sessions(previewDb);

    // Delivered to another preview, in a browser that started a sign-in of its own there.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const otherOrigin = previewOrigin("feature-d");
    await otherPage.goto(otherOrigin);
    await otherPage.getByRole("button", { name: "Sign in with Make" }).click();
    await otherPage.waitForURL(/\/interaction\//);
    await otherPage.goto(`${otherOrigin}/api/auth/callback/make${forwarded!.search}`);
    expect(new URL(otherPage.url()).pathname).toBe("/auth/error");
    expect(await otherPage.locator("[data-sign-in-error]").getAttribute("data-sign-in-error")).toBe(
      "state_mismatch",
    );
    await other.close();

    // Replayed through the stable deployment in a browser that started nothing: forwarded, then refused.
    const stranger = await browser.newContext();
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(`${stableCallback()}${forwarded!.search}`);
    expect(new URL(strangerPage.url()).origin).toBe(origin);
    expect(new URL(strangerPage.url()).pathname).toBe("/auth/error");
    expect(await strangerPage.locator("[data-sign-in-error]").getAttribute("data-sign-in-error")).toBe(
      "state_mismatch",
    );
    expect((await stranger.cookies()).some((cookie) => cookie.name.includes("session-token"))).toBe(false);
    await stranger.close();

    expect(await sessions(previewDb)).toBe(sessionsBefore);
    expect(await sessions(stableDb)).toBe(0);
  });

  it("still signs in on the stable deployment itself", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stable.url);
    await page.getByRole("button", { name: "Sign in with Make" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${stable.url}/dashboard`);
    expect(await connectionState(page)).toBe("active");
    expect(await sessions(stableDb)).toBe(1);
    await context.close();
  });
});

async function query(url: string, sql: string): Promise<Record<string, number>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
