/**
 * The token lifecycle as users and operators see it: one refresh per expiry across two app servers, the
 * dashboard telling the truth about failures, revocation that survives an outage, sign-out everywhere.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { startStack, type Stack } from "../support/stack";
import { testTuning } from "../support/test-tuning";

let browser: Browser;
let stack: Stack;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack({ servers: 2, env: testTuning({ TOKEN_TIMEOUT_MS: 3000 }) });
});
afterAll(async () => {
  await stack?.close();
  await browser?.close();
});
beforeEach(() => stack.standIn.controls.reset());

const nowSeconds = () => Math.floor(Date.now() / 1000);
const connectionState = (page: Page) =>
  page.locator("[data-connection-state]").getAttribute("data-connection-state");
/** What the user reads in the connection panel: the badge, the explanation and any notes. */
const panelText = (page: Page) => page.locator("[data-connection-state]").innerText();
const refreshGrants = async () => (await stack.standIn.controls.stats()).grants.refresh_token ?? 0;
const setAccount = (assignments: string, params: unknown[] = []) =>
  stack.query(`UPDATE "Account" SET ${assignments}`, params);

async function signedIn(appUrl = stack.app.url): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(`${appUrl}/dashboard`);
  return { context, page };
}

async function sessionCookieHeader(context: BrowserContext) {
  return (await context.cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

describe("refresh across servers", () => {
  it("makes exactly one refresh grant for 25 + 25 concurrent requests on two app servers after expiry", async () => {
    const { context } = await signedIn();
    const cookie = await sessionCookieHeader(context);
    // Both servers warm (discovery cached, code loaded), so neither is held up before it reaches the refresh;
    // Make answering in 1 s keeps the first refresh open long after the second server has arrived.
    for (const app of stack.apps)
      expect((await fetch(`${app.url}/dashboard`, { headers: { cookie } })).status).toBe(200);
    stack.standIn.controls.configure({ tokenLatencyMs: 1_000 });
    await setAccount(`expires_at = $1`, [nowSeconds() - 5]);
    const before = await refreshGrants();

    const requests = stack.apps.flatMap((app) =>
      Array.from({ length: 25 }, () => fetch(`${app.url}/api/make/me`, { headers: { cookie } })),
    );
    const responses = await Promise.all(requests);
    const bodies = await Promise.all(
      responses.map((response) => response.json() as Promise<{ user?: { id: number } }>),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(bodies.every((body) => body.user?.id === 1001)).toBe(true);
    expect((await refreshGrants()) - before).toBe(1);
    expect((await stack.query(`SELECT state FROM "Account"`))[0]).toEqual({ state: "active" });
    await context.close();
  });
});

describe("the dashboard during failures", () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ context, page } = await signedIn());
  });
  afterAll(async () => {
    await context?.close();
  });

  it("says the connection is active and healthy", async () => {
    await page.reload();
    const panel = await panelText(page);
    expect(panel).toContain("Active");
    expect(panel).toContain("The connection to Make is healthy.");
    expect(panel).not.toContain("The last renewal failed");
    expect(panel).not.toContain("Reconnect needed");
  });

  it("stays active on a 503 from Make, shows the error and keeps the current token", async () => {
    await setAccount(`expires_at = $1, "nextRetryAt" = NULL`, [nowSeconds() + 30]);
    stack.standIn.controls.fail({ endpoint: "token", mode: "status", status: 503 });
    await page.reload();
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-status="retry"]').innerText()).toContain("http_503");
    const panel = await panelText(page);
    expect(panel).toContain("Active");
    expect(panel).toContain("The last renewal failed (http_503");
    expect(panel).toContain("The current access stays valid until it expires");
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");
    expect(await page.locator('[data-event="refresh_failed"]').count()).toBeGreaterThan(0);
  });

  it("cuts off a hanging token endpoint and says so", async () => {
    await setAccount(`expires_at = $1, "nextRetryAt" = NULL`, [nowSeconds() + 30]);
    stack.standIn.controls.fail({ endpoint: "token", mode: "hang" });
    await page.reload();
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-status="retry"]').innerText()).toContain("timeout");
  });

  it("recovers once Make answers again, and logs the refresh", async () => {
    // Time passes: the hanging renewal above is given up (its lease ends) and the back-off is over.
    await setAccount(
      `expires_at = $1, "nextRetryAt" = NULL, "refreshLeaseId" = NULL, "refreshLeaseUntil" = NULL`,
      [nowSeconds() + 30],
    );
    await page.reload();
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-status="retry"]').count()).toBe(0);
    expect(await page.locator('[data-status="last-refreshed"]').innerText()).not.toBe("never");
    expect(await page.locator('[data-event="refreshed"]').count()).toBeGreaterThan(0);
  });

  it("asks to reconnect after invalid_grant, keeps the user signed in, and Reconnect restores it", async () => {
    await setAccount(`expires_at = $1, "nextRetryAt" = NULL`, [nowSeconds() - 5]);
    stack.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });
    await page.reload();
    expect(await connectionState(page)).toBe("reauth_required");
    const panel = await panelText(page);
    expect(panel).toContain("Reconnect needed");
    expect(panel).toContain("Make no longer accepts this connection. Reconnect to continue");
    expect(panel).not.toContain("Active");
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect((await stack.query(`SELECT access_token, refresh_token FROM "Account"`))[0]).toEqual({
      access_token: null,
      refresh_token: null,
    });
    stack.standIn.controls.reset();
    await page.getByRole("button", { name: "Reconnect" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${stack.app.url}/dashboard`);
    expect(await connectionState(page)).toBe("active");
    expect(await panelText(page)).toContain("The connection to Make is healthy.");
    expect(await page.locator('[data-event="reconnected"]').count()).toBeGreaterThan(0);
  });

  it("revokes at once while Make is down, says the revocation is pending, and delivers it later", async () => {
    stack.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.locator('[data-connection-state="revoked"]').waitFor();
    expect(await page.locator('[data-status="revocation-pending"]').isVisible()).toBe(true);
    const pending = await panelText(page);
    expect(pending).toContain("Revoked");
    expect(pending).toContain("You revoked this connection.");
    expect(pending).toContain("Make has not confirmed the revocation yet");
    expect(pending).not.toContain("Active");
    expect((await stack.query(`SELECT access_token, refresh_token FROM "Account"`))[0]).toEqual({
      access_token: null,
      refresh_token: null,
    });

    stack.standIn.controls.reset();
    await stack.query(`UPDATE "PendingRevocation" SET "nextAttemptAt" = now() - interval '1 second'`);
    await page.reload();
    await expect.poll(async () => (await stack.standIn.controls.stats()).revocations.length).toBe(2);
    await expect
      .poll(async () => (await stack.query(`SELECT count(*)::int AS n FROM "PendingRevocation"`))[0])
      .toEqual({ n: 0 });
    await page.reload();
    expect(await page.locator('[data-status="revocation-pending"]').count()).toBe(0);
    const confirmed = await panelText(page);
    expect(confirmed).toContain("Revoked");
    expect(confirmed).not.toContain("Make has not confirmed the revocation yet");
  });
});

describe("sign out everywhere", () => {
  it("ends the sessions on every device", async () => {
    const first = await signedIn();
    const second = await signedIn(stack.apps[1]!.url);
    await first.page.getByRole("button", { name: "Sign out everywhere" }).click();
    await first.page.waitForURL(`${stack.app.url}/`);
    await second.page.goto(`${stack.apps[1]!.url}/dashboard`);
    expect(new URL(second.page.url()).pathname).toBe("/");
    expect((await stack.query(`SELECT count(*)::int AS n FROM "Session"`))[0]).toEqual({ n: 0 });
    await first.context.close();
    await second.context.close();
  });
});
