/**
 * Outages: Make (discovery, token, userinfo, JWKS) failing or hanging during a sign-in, and the database
 * going away under a running app. Every case must end on a page that says what happened in plain words,
 * write nothing, and recover by itself once the outage is over. The database "goes down" through a TCP
 * proxy the test cuts: the app loses its connections and new ones are refused, as with a crashed server.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { FailSpec } from "@/make-stand-in/server";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import {
  expectRefused,
  hasSessionCookie,
  rowCounts,
  startSignIn,
  type RowCounts,
} from "../support/sign-in-attempts";
import { startStack, type Stack } from "../support/stack";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { testTuning } from "../support/test-tuning";

let browser: Browser;
let stack: Stack;
let database: TcpProxy;
let contexts: BrowserContext[] = [];
let before: RowCounts;

beforeAll(async () => {
  const server = new URL(inject("postgresUrl"));
  database = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  [browser, stack] = await Promise.all([
    launchBrowser(),
    startStack({
      appDatabaseUrl: (url) => database.through(url),
      env: testTuning({ TOKEN_TIMEOUT_MS: 1000 }),
    }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await database?.close();
});
beforeEach(async () => {
  before = await rowCounts(stack);
});
afterEach(async () => {
  stack.standIn.controls.reset();
  await database.restore();
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

/** Signs in from the landing page to the dashboard, as a user who sees nothing wrong. */
async function signIn(login = "sub-only"): Promise<Page> {
  const page = await newPage();
  await startSignIn(page, stack.app.url);
  await completeMakeLogin(page, { login });
  await page.waitForURL(`${stack.app.url}/dashboard`);
  return page;
}

/** Make's `endpoint` fails from the moment the user is at Make's login page, i.e. when Make redirects back. */
async function signInWhileFailing(
  endpoint: FailSpec["endpoint"],
  mode: "status" | "hang" = "status",
): Promise<Page> {
  const page = await newPage();
  await startSignIn(page, stack.app.url);
  // A hanging Make must not hang the test: the app is expected to answer well within 5 s.
  if (mode === "hang") page.setDefaultTimeout(5_000);
  stack.standIn.controls.fail({ endpoint, mode, status: 503, grants: ["authorization_code"] });
  await completeMakeLogin(page, { login: "sub-only" });
  return page;
}

describe("Make unreachable during a sign-in", () => {
  it("explains that Make is unreachable when its discovery is down as the sign-in starts", async () => {
    stack.standIn.controls.fail({ endpoint: "discovery", mode: "status", status: 503 });
    const page = await newPage();
    await page.goto(stack.app.url);
    await page.getByRole("button", { name: "Sign in with Make" }).click();
    await expectRefused(page, stack, before, "make_unreachable");
  });

  it("explains that Make is unreachable when its discovery is down as Make redirects back, and signs in once it is back", async () => {
    const page = await signInWhileFailing("discovery");
    await expectRefused(page, stack, before, "make_unreachable");
    stack.standIn.controls.fail({ endpoint: "discovery", mode: "off" });
    await signIn();
  });

  it("explains that Make is unreachable when its token endpoint answers 503", async () => {
    const page = await signInWhileFailing("token");
    await expectRefused(page, stack, before, "make_unreachable");
    expect(stack.standIn.controls.stats().grants.authorization_code).toBe(1);
  });

  // Sign-in needs only the token response and the id_token: userinfo is asked afterwards, best-effort.
  it("signs in while its userinfo endpoint answers 503, and says so on the identity card", async () => {
    const page = await signInWhileFailing("userinfo");
    await page.waitForURL((url) => url.pathname === "/dashboard" || url.pathname === "/auth/error");
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1002");
    expect(await page.locator("[data-profile-unavailable]").innerText()).toContain("userinfo");
  });

  // The key rotation makes sure the app cannot answer from a JWKS it cached earlier.
  it("explains that Make is unreachable when its JWKS is down, and signs in once it is back", async () => {
    await stack.standIn.controls.rotateKeys();
    const page = await signInWhileFailing("jwks");
    await expectRefused(page, stack, before, "make_unreachable");
    stack.standIn.controls.fail({ endpoint: "jwks", mode: "off" });
    await signIn();
  });

  // TOKEN_TIMEOUT_MS is 1 s here; without it Auth.js's requests would wait for minutes. Discovery comes
  // from the cache at the callback (one discovery request per ten minutes, not one per callback), so it is
  // the code exchange that hangs.
  it("gives up on a Make that does not answer within TOKEN_TIMEOUT_MS", async () => {
    const page = await signInWhileFailing("token", "hang");
    await expectRefused(page, stack, before, "make_unreachable");
  });
});

describe("the database down", () => {
  it("answers 503 on /api/health while the database is down, and 200 once it is back", async () => {
    expect((await fetch(`${stack.app.url}/api/health`)).status).toBe(200);
    await database.cut();
    const down = await fetch(`${stack.app.url}/api/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      ok: false,
      database: { ok: false },
      makeDiscovery: { ok: true },
    });
    await database.restore();
    expect((await fetch(`${stack.app.url}/api/health`)).status).toBe(200);
  });

  it("stops a sign-in with a plain error page and writes nothing", async () => {
    const page = await newPage();
    await startSignIn(page, stack.app.url);
    await database.cut();
    await completeMakeLogin(page, { login: "ada" });
    await expectRefused(page, stack, before, "service_unavailable");
  });

  it("shows a signed-in user a plain 'temporarily unavailable' page, and the dashboard again once it is back", async () => {
    const page = await signIn();
    const sessions = (await rowCounts(stack)).sessions;
    await database.cut();
    const response = await page.goto(`${stack.app.url}/dashboard`);
    expect(response?.status()).toBeGreaterThanOrEqual(500);
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    const alert = page.locator("[data-app-error]");
    expect(await alert.getByRole("heading").innerText()).toBe("This page is temporarily unavailable");
    expect(await alert.innerText()).not.toMatch(/prisma|database server|127\.0\.0\.1|Error:/i);

    await database.restore();
    await page.goto(`${stack.app.url}/dashboard`);
    expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
      "active",
    );
    expect(await hasSessionCookie(page.context())).toBe(true);
    expect((await rowCounts(stack)).sessions).toBe(sessions);
  });

  it("signs in again once the database is back", async () => {
    await database.cut();
    expect((await fetch(`${stack.app.url}/api/health`)).status).toBe(503);
    await database.restore();
    await signIn("ada");
    expect((await rowCounts(stack)).sessions).toBe(before.sessions + 1);
  });
});
