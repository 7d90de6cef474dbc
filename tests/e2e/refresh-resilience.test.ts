/**
 * The refresh when things are slower and messier than usual, on two app servers sharing one database:
 * Make slow enough that the renewal takes most of two timeouts, and the database dropping out just after
 * Make has rotated the tokens. Either way: one refresh grant at Make, the rotated token kept, the
 * connection still active. The database is reached through a TCP proxy the test can cut.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { startStack, type Stack } from "../support/stack";
import { storedTokens } from "../support/stored-tokens";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { testTuning } from "../support/test-tuning";

/** The token timeout of both servers; Make's slowness below is set relative to it. */
const TIMEOUT_MS = 10_000;
/** What the lease used to be: the timeout plus 5 s, counted from a claim made before discovery. */
const OLD_LEASE_MS = TIMEOUT_MS + 5_000;
const JUST_UNDER_TIMEOUT_MS = TIMEOUT_MS - 3_000;

let browser: Browser;
let stack: Stack;
let database: TcpProxy;
let cookie: string;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stats = () => stack.standIn.controls.stats();
const refreshGrants = async () => (await stats()).grants.refresh_token ?? 0;
const expireStoredToken = () => stack.query(`UPDATE "Account" SET expires_at = $1`, [nowSeconds() - 5]);
const makeMe = (server: number) => fetch(`${stack.apps[server]!.url}/api/make/me`, { headers: { cookie } });

async function expectOneValidToken() {
  expect((await stack.query(`SELECT state FROM "Account"`))[0]).toEqual({ state: "active" });
  const { accessToken } = await storedTokens(stack);
  const atMake = await fetch(`${stack.standIn.url}/api/v2/users/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(atMake.status).toBe(200);
}

beforeAll(async () => {
  const server = new URL(inject("postgresUrl"));
  database = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  [browser, stack] = await Promise.all([
    launchBrowser(),
    startStack({
      servers: 2,
      appDatabaseUrl: (url) => database.through(url),
      env: testTuning({ TOKEN_TIMEOUT_MS: TIMEOUT_MS }),
    }),
  ]);
  // Signed in on the second server only: the first has never asked Make for its discovery document.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(stack.apps[1]!.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(`${stack.apps[1]!.url}/dashboard`);
  cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join("; ");
  await context.close();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await database?.close();
});
beforeEach(async () => {
  stack.standIn.controls.reset();
  await database.restore();
});

describe("a slow Make", () => {
  it("makes one refresh grant when discovery and the token request each take just under the timeout", async () => {
    stack.standIn.controls.configure({
      discoveryLatencyMs: JUST_UNDER_TIMEOUT_MS,
      tokenLatencyMs: JUST_UNDER_TIMEOUT_MS,
    });
    await expireStoredToken();

    // The first server, cold, discovers Make's endpoints and then sends the refresh.
    const first = makeMe(0);
    await expect.poll(refreshGrants, { interval: 20, timeout: 2 * TIMEOUT_MS }).toBe(1);
    // A claim made before that discovery would have expired by now: the second server arrives after it.
    await sleep(OLD_LEASE_MS - JUST_UNDER_TIMEOUT_MS + 500);
    const second = makeMe(1);

    const responses = await Promise.all([first, second]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    for (const response of responses)
      expect(((await response.json()) as { user?: { id: number } }).user?.id).toBe(1001);
    expect(await refreshGrants()).toBe(1);
    expect((await stats()).refreshFailed).toBe(0);
    await expectOneValidToken();
    // Both servers go on with the same token, without another refresh.
    stack.standIn.controls.configure({ discoveryLatencyMs: 0, tokenLatencyMs: 0 });
    expect((await Promise.all([makeMe(0), makeMe(1)])).map((response) => response.status)).toEqual([
      200, 200,
    ]);
    expect(await refreshGrants()).toBe(1);
  });
});

describe("a database that drops out during a refresh", () => {
  it("keeps the rotated tokens when the database is cut right after Make answered the refresh", async () => {
    stack.standIn.controls.configure({ tokenLatencyMs: 1_500 });
    await expireStoredToken();

    const renewal = makeMe(0);
    await expect.poll(refreshGrants, { interval: 5, timeout: TIMEOUT_MS }).toBe(1);
    await database.cut();
    await expect
      .poll(async () => (await stats()).refreshSucceeded, { interval: 10, timeout: TIMEOUT_MS })
      .toBe(1);
    await sleep(1_500);
    await database.restore();

    const response = await renewal;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user?: { id: number } }).user?.id).toBe(1001);
    await expectOneValidToken();
    expect((await Promise.all([makeMe(0), makeMe(1)])).map((next) => next.status)).toEqual([200, 200]);
    expect(await refreshGrants()).toBe(1);
  });
});
