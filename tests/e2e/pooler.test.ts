/**
 * The app behind a transaction-mode pooler (a real PgBouncer, as Neon's and Supabase's pooled URLs are),
 * with fewer server connections than the two app servers' pools hold: sign-in, the dashboard's session
 * read, the cross-process refresh lease and the revocation queue each work when every transaction may land
 * on another server connection and nothing session-scoped survives between them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { startPgBouncer, type PgBouncer } from "../support/pgbouncer";
import { startStack, type Stack } from "../support/stack";

const CRON_SECRET = "cron-secret-".padEnd(40, "c");
let browser: Browser;
let pooler: PgBouncer;
let stack: Stack;

beforeAll(async () => {
  browser = await launchBrowser();
  pooler = await startPgBouncer(inject("postgresUrl"), { poolSize: 3 });
  stack = await startStack({
    servers: 2,
    env: { CRON_SECRET, VERCEL: "1" },
    appDatabaseUrl: (url) => pooler.pooledUrl(url),
  });
});
afterAll(async () => {
  await stack?.close();
  await pooler?.close();
  await browser?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const connectionState = (page: Page) =>
  page.locator("[data-connection-state]").getAttribute("data-connection-state");
const refreshGrants = () => stack.standIn.controls.stats().grants.refresh_token ?? 0;

async function signedIn(appUrl = stack.app.url): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(`${appUrl}/dashboard`);
  return { context, page };
}

describe("the app through PgBouncer in transaction mode", () => {
  it("signs in and shows the dashboard with the connection active", async () => {
    const { context, page } = await signedIn();
    expect(await connectionState(page)).toBe("active");
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");
    // Cookies do not depend on the port: the same session, read by the other server.
    await page.goto(`${stack.apps[1]!.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(await connectionState(page)).toBe("active");
    await context.close();
  });

  it("makes exactly one refresh grant for 25 + 25 concurrent requests on two app servers after expiry", async () => {
    const { context } = await signedIn();
    const cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join("; ");
    stack.standIn.controls.reset();
    // Both servers warm, so neither is held up before it reaches the refresh; Make answering in 1 s keeps the
    // first refresh open long after the second server has arrived (as in token-lifecycle.test.ts).
    for (const app of stack.apps)
      expect((await fetch(`${app.url}/dashboard`, { headers: { cookie } })).status).toBe(200);
    stack.standIn.controls.configure({ tokenLatencyMs: 1_000 });
    await stack.query(`UPDATE "Account" SET expires_at = $1`, [nowSeconds() - 5]);
    const before = refreshGrants();

    const responses = await Promise.all(
      stack.apps.flatMap((app) =>
        Array.from({ length: 25 }, () => fetch(`${app.url}/api/make/me`, { headers: { cookie } })),
      ),
    );
    const texts = await Promise.all(responses.map((response) => response.text()));

    expect(
      responses.map((response) => response.status),
      texts.find((text) => !text.includes('"id":1001')),
    ).toEqual(Array(50).fill(200));
    expect(texts.every((text) => (JSON.parse(text) as { user?: { id: number } }).user?.id === 1001)).toBe(
      true,
    );
    expect(refreshGrants() - before).toBe(1);
    expect(await stack.query(`SELECT state FROM "Account"`)).toEqual([{ state: "active" }]);
    await context.close();
  });

  it("queues a revocation while Make is down, and the cron route delivers it", async () => {
    const { context, page } = await signedIn();
    stack.standIn.controls.reset();
    stack.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.locator('[data-connection-state="revoked"]').waitFor();
    await context.close();

    // The dashboard's own after-response attempt (nothing is due yet) ends before the queue is made due.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    stack.standIn.controls.reset();
    await stack.query(`UPDATE "PendingRevocation" SET "nextAttemptAt" = now() - interval '1 second'`);
    const response = await fetch(`${stack.app.url}/api/cron/revocations`, {
      headers: { authorization: `Bearer ${CRON_SECRET}` },
    });
    expect(response.status).toBe(200);
    expect(stack.standIn.controls.stats().revocations).toHaveLength(2);
    expect(await stack.query(`SELECT count(*)::int AS n FROM "PendingRevocation"`)).toEqual([{ n: 0 }]);
  });
});
