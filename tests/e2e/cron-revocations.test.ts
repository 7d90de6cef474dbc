/**
 * The scheduled route Vercel Cron calls, /api/cron/revocations: only with `Authorization: Bearer
 * $CRON_SECRET`; it delivers revocations queued while Make was down and deletes expired sessions, once,
 * however often and however concurrently it runs. The app runs as on Vercel (VERCEL=1), where no
 * in-process sweep runs, so whatever is delivered here was delivered by the route.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { STAND_IN_CLIENTS } from "@/make-stand-in/server";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { startAppServer } from "../support/app-server";
import { freePort } from "../support/ports";
import { startStack, TEST_AUTH_SECRET, type Stack } from "../support/stack";

const CRON_SECRET = "cron-secret-".padEnd(40, "c");
let browser: Browser;
let stack: Stack;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack({ env: { CRON_SECRET, VERCEL: "1" } });
});
afterAll(async () => {
  await stack?.close();
  await browser?.close();
});
beforeEach(() => stack.standIn.controls.reset());

const runCron = (headers: Record<string, string> = {}, appUrl = stack.app.url) =>
  fetch(`${appUrl}/api/cron/revocations`, { headers });
const authorized = { authorization: `Bearer ${CRON_SECRET}` };
const pendingCount = async () =>
  (await stack.query<{ n: number }>(`SELECT count(*)::int AS n FROM "PendingRevocation"`))[0]!.n;
const revocationsAtMake = () => stack.standIn.controls.stats().revocations.length;

const settleBackgroundDelivery = () => new Promise((resolve) => setTimeout(resolve, 2_000));

/** Signs in, presses Revoke while Make's revocation endpoint fails, and makes the queued retries due. */
async function revokeWhileMakeIsDown() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(stack.app.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(`${stack.app.url}/dashboard`);
  stack.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
  await page.getByRole("button", { name: "Revoke", exact: true }).click();
  await page.locator('[data-connection-state="revoked"]').waitFor();
  await context.close();
  // The dashboard that showed "revoked" also tries the queue once after its response; let that attempt
  // (which finds nothing due yet) end, so only the cron calls below deliver.
  await settleBackgroundDelivery();
  stack.standIn.controls.reset();
  // The queue's backoff has not passed yet; the test stands in for the time until the next cron run.
  await stack.query(`UPDATE "PendingRevocation" SET "nextAttemptAt" = now() - interval '1 second'`);
  expect(await pendingCount()).toBe(2);
}

describe("/api/cron/revocations", () => {
  it("answers 401 without the secret or with a wrong one, and delivers nothing", async () => {
    await revokeWhileMakeIsDown();
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-secret" },
      { authorization: CRON_SECRET },
    ];
    for (const headers of attempts) {
      const response = await runCron(headers);
      expect(response.status).toBe(401);
    }
    expect(revocationsAtMake()).toBe(0);
    expect(await pendingCount()).toBe(2);
    expect((await runCron(authorized)).status).toBe(200);
  });

  it("answers 401 to everyone when CRON_SECRET is not set (off Vercel)", async () => {
    const app = await startAppServer({ port: await freePort(), env: appEnv() });
    try {
      expect((await runCron({}, app.url)).status).toBe(401);
      expect((await runCron({ authorization: "Bearer " }, app.url)).status).toBe(401);
      expect((await runCron({ authorization: "Bearer undefined" }, app.url)).status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it("stops a server on Vercel at start when CRON_SECRET is not set, naming it", async () => {
    const start = startAppServer({ port: await freePort(), env: { ...appEnv(), VERCEL: "1" } });
    await expect(start).rejects.toThrow(/CRON_SECRET: is not set/);
  });

  it("delivers a revocation queued while Make was down with one call, and the next call changes nothing", async () => {
    await revokeWhileMakeIsDown();
    const response = await runCron(authorized);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      revocationsSettled: true,
      revocations: { delivered: 2, retrying: 0, givenUp: 0, remaining: 0 },
    });
    expect(
      stack.standIn.controls
        .stats()
        .revocations.map((entry) => entry.tokenTypeHint)
        .sort(),
    ).toEqual(["access_token", "refresh_token"]);
    expect(await pendingCount()).toBe(0);

    const again = await runCron(authorized);
    expect(again.status).toBe(200);
    expect(revocationsAtMake()).toBe(2);
  });

  it("delivers a pending revocation once when two calls run at the same time", async () => {
    await revokeWhileMakeIsDown();
    // Make answering each revocation after a second keeps the first call delivering while the second arrives.
    stack.standIn.controls.configure({ revocationLatencyMs: 1_000 });
    const responses = await Promise.all([runCron(authorized), runCron(authorized)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(revocationsAtMake()).toBe(2);
    expect(await pendingCount()).toBe(0);
  });

  it("deletes expired sessions and keeps the live ones", async () => {
    const now = Date.now();
    await stack.query(
      `INSERT INTO "User" (id, email, "updatedAt") VALUES ('cron-user', 'cron@example.test', now())`,
    );
    await stack.query(
      `INSERT INTO "Session" (id, "sessionToken", "userId", expires) VALUES
         ('expired-1', 'hash-expired-1', 'cron-user', $1), ('expired-2', 'hash-expired-2', 'cron-user', $1),
         ('live-1', 'hash-live-1', 'cron-user', $2)`,
      [new Date(now - 60_000), new Date(now + 3_600_000)],
    );
    const response = await runCron(authorized);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ expiredSessionsDeleted: 2 });
    const left = await stack.query(`SELECT id FROM "Session" WHERE "userId" = 'cron-user'`);
    expect(left).toEqual([{ id: "live-1" }]);
  });
});

/** The stack's configuration without CRON_SECRET, for a server of its own. */
function appEnv(): Record<string, string> {
  return {
    DATABASE_URL: stack.databaseUrl,
    AUTH_SECRET: TEST_AUTH_SECRET,
    AUTH_MAKE_ISSUER: stack.standIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
  };
}
