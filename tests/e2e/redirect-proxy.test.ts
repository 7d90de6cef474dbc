/**
 * Preview deployments sign in through the stable deployment (AUTH_REDIRECT_PROXY_URL, Auth.js's redirect
 * proxy). Make knows one callback, the stable one's; a preview names it in its authorization request, the
 * stable deployment forwards Make's answer to the preview that started the sign-in (its origin is sealed in
 * `state` with the shared AUTH_SECRET), and the preview completes the sign-in with its own state, PKCE
 * verifier and cookies. Each deployment has its own database, as a preview on its own database branch does.
 *
 * The stable deployment runs on 127.0.0.1 with AUTH_URL; previews on `*.localhost` hosts (Chromium resolves
 * them to the loopback), each with its own AUTH_URL (off Vercel a deployment behind the proxy must name
 * its origin), and the stable deployment forwards only to `http://*.localhost:<preview port>`.
 *
 * An attacker who names another host (a forged X-Forwarded-Host, or a state sealed for another origin)
 * never receives a victim's code: a trap server on the loopback stands for the attacker's host.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { encode } from "@auth/core/jwt";
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
let otherPreview: AppServer;
let previewPort: number;
let otherPreviewPort: number;
let trap: Server;
let trapOrigin: string;
/** Every request the attacker's host received. */
const trapped: string[] = [];
let shared: Record<string, string>;

const stableCallback = () => `${stable.url}/api/auth/callback/make`;
const previewOrigin = (name: string) =>
  name === "other" ? `http://other.localhost:${otherPreviewPort}` : `http://feature.localhost:${previewPort}`;
const KEY = "production-token-key-".padEnd(44, "p");

beforeAll(async () => {
  browser = await launchBrowser();
  [stableDb, previewDb] = await Promise.all([
    freshDatabase(inject("postgresUrl")),
    freshDatabase(inject("postgresUrl")),
  ]);
  const stablePort = await freePort();
  previewPort = await freePort();
  otherPreviewPort = await freePort();
  const stableUrl = `http://127.0.0.1:${stablePort}`;
  trap = createServer((req, res) => {
    trapped.push(req.url ?? "");
    res.end("trapped");
  });
  await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
  trapOrigin = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
  standIn = await startMakeStandIn({
    port: 0,
    redirectUris: [`${stableUrl}/api/auth/callback/make`],
    quiet: true,
  });
  shared = {
    AUTH_SECRET: TEST_AUTH_SECRET,
    AUTH_REDIRECT_PROXY_URL: `${stableUrl}/api/auth`,
    AUTH_MAKE_ISSUER: standIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
    MAKE_API_URL: `${standIn.url}/api/v2`,
  };
  const stableEnv = {
    ...shared,
    DATABASE_URL: stableDb.url,
    AUTH_URL: stableUrl,
    TOKEN_ENCRYPTION_KEY: KEY,
    AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS: `http://*.localhost:${previewPort},http://*.localhost:${otherPreviewPort}`,
  };
  const previewEnv = (origin: string) => ({ ...shared, DATABASE_URL: previewDb.url, AUTH_URL: origin });
  [stable, preview, otherPreview] = await Promise.all([
    startAppServer({ port: stablePort, env: stableEnv }),
    startAppServer({ port: previewPort, env: previewEnv(previewOrigin("feature")) }),
    startAppServer({ port: otherPreviewPort, env: previewEnv(previewOrigin("other")) }),
  ]);
});
afterAll(async () => {
  await Promise.all([stable?.close(), preview?.close(), otherPreview?.close()]);
  await new Promise((resolve) => trap?.close(resolve));
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
    const origin = previewOrigin("feature");

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
    const origin = previewOrigin("feature");
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
    const origin = previewOrigin("feature");
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
    const origin = previewOrigin("feature");
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
    const otherOrigin = previewOrigin("other");
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

/** A sign-in started with fetch, as an attacker would: the authorization URL to send a victim, and the cookies. */
async function attackerStartsSignIn(appUrl: string, headers: Record<string, string> = {}) {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      jar.set(name!, value.join("="));
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const csrf = await fetch(`${appUrl}/api/auth/csrf`, { headers });
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const start = await fetch(`${appUrl}/api/auth/signin/make`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, cookie: cookie(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/dashboard" }),
  });
  keep(start);
  const authorize = new URL(start.headers.get("location")!);
  expect(authorize.pathname).toBe("/oauth/v2/authorize");
  return { authorize, cookie };
}

/** The victim opens the attacker's link and completes Make's login and consent; where they end up. */
async function victimCompletesLogin(authorize: URL): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(authorize.toString());
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForLoadState("load");
    await page.waitForFunction(() => !location.pathname.startsWith("/interaction"));
    return page.url();
  } finally {
    await context.close();
  }
}

/** Whatever reached the attacker's host, replayed with the attacker's cookies on the app that started it. */
async function replayTrapped(appUrl: string, cookie: string) {
  for (const url of trapped) {
    await fetch(`${appUrl}${url}`, { redirect: "manual", headers: { cookie } });
  }
}

describe("an attacker naming another host", () => {
  const forgedHost = () => ({ "x-forwarded-host": new URL(trapOrigin).host, "x-forwarded-proto": "http" });

  it("gets no code through a forged X-Forwarded-Host on a preview, and the replay signs no one in", async () => {
    trapped.length = 0;
    const before = await sessions(previewDb);
    const { authorize, cookie } = await attackerStartsSignIn(preview.url, forgedHost());
    const landed = await victimCompletesLogin(authorize);
    await replayTrapped(preview.url, cookie());
    expect(trapped).toEqual([]);
    expect(new URL(landed).origin).toBe(previewOrigin("feature"));
    expect(await sessions(previewDb)).toBe(before);
  });

  it("gets no code through a forged X-Forwarded-Host on the stable deployment itself", async () => {
    trapped.length = 0;
    const before = await sessions(stableDb);
    const { authorize, cookie } = await attackerStartsSignIn(stable.url, forgedHost());
    const landed = await victimCompletesLogin(authorize);
    await replayTrapped(stable.url, cookie());
    expect(trapped).toEqual([]);
    expect(new URL(landed).origin).toBe(stable.url);
    expect(await sessions(stableDb)).toBe(before);
  });

  it("gets no code with a state sealed for an origin outside the proxy's allowlist (any build holds the secret)", async () => {
    trapped.length = 0;
    const { authorize } = await attackerStartsSignIn(preview.url);
    const forgedState = await encode({
      secret: TEST_AUTH_SECRET,
      salt: "encodedState",
      maxAge: 900,
      token: { origin: `${trapOrigin}/api/auth/callback/make`, random: "r".repeat(43) },
    });
    authorize.searchParams.set("state", forgedState);
    const landed = await victimCompletesLogin(authorize);
    expect(trapped).toEqual([]);
    expect(landed).toBe(`${stable.url}/auth/error?reason=forged_request`);
  });

  it("cannot run a deployment behind the proxy without AUTH_URL off Vercel: it stops at start, naming AUTH_URL", async () => {
    const start = startAppServer({
      port: await freePort(),
      env: { ...shared, DATABASE_URL: previewDb.url },
    });
    await expect(start).rejects.toThrow(
      /AUTH_URL: is not set \(required with AUTH_REDIRECT_PROXY_URL off Vercel/,
    );
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
