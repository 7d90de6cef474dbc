/**
 * /dashboard/account, end to end: "Download my data" holds no token, "Delete account" revokes at Make
 * (queued when Make is down, then delivered by the cron route), leaves no row that names the user and
 * signs the browser out for good. Also the cron route keeping an idle connection alive, and the health
 * routes. The app runs as on Vercel (VERCEL=1): no in-process sweep, so the cron route delivers.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { STAND_IN_CLIENTS } from "@/make-stand-in/server";
import { startAppServer } from "../support/app-server";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { freePort } from "../support/ports";
import { cookieHeader } from "../support/sign-in-attempts";
import { TEST_AUTH_SECRET } from "../support/stack";
import { storedTokens } from "../support/stored-tokens";
import { testTuning } from "../support/test-tuning";

const CRON_SECRET = "cron-secret-".padEnd(40, "c");
const e2e = useBrowserAndStack({ client: "confidential", env: { CRON_SECRET, VERCEL: "1" } });

const accountUrl = () => `${e2e.stack.app.url}/dashboard/account`;
const runCron = () =>
  fetch(`${e2e.stack.app.url}/api/cron/revocations`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
const count = async (sql: string, params?: unknown[]) =>
  (await e2e.stack.query<{ n: number }>(sql, params))[0]!.n;

async function signIn(): Promise<{ page: Page; userId: string }> {
  const page = await e2e.newPage();
  await page.goto(e2e.stack.app.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(`${e2e.stack.app.url}/dashboard`);
  const [row] = await e2e.stack.query<{ userId: string }>(
    `SELECT "userId" FROM "Account" ORDER BY "connectedAt" DESC LIMIT 1`,
  );
  return { page, userId: row!.userId };
}

/** Every text column of every table that holds `value`: "table.column" for each hit. */
async function rowsNaming(value: string): Promise<string[]> {
  const columns = await e2e.stack.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')`,
  );
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    const sql = `SELECT count(*)::int AS n FROM "${table_name}" WHERE "${column_name}" = $1`;
    if ((await count(sql, [value])) > 0) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

async function deleteAccount(page: Page) {
  await page.goto(accountUrl());
  await page.getByLabel("Type DELETE to confirm").fill("DELETE");
  await page.getByRole("button", { name: "Delete account" }).click();
  await page.waitForURL(`${e2e.stack.app.url}/`);
}

/** The old session cookie, sent again after deletion, signs nobody in. */
async function expectSignedOutForGood(cookie: string) {
  const dashboard = await fetch(`${e2e.stack.app.url}/dashboard`, {
    headers: { cookie },
    redirect: "manual",
  });
  expect(dashboard.status).toBe(307);
  expect(new URL(dashboard.headers.get("location")!, e2e.stack.app.url).pathname).toBe("/");
  const data = await fetch(`${e2e.stack.app.url}/dashboard/account/export`, { headers: { cookie } });
  expect(data.status).toBe(401);
  const session = await fetch(`${e2e.stack.app.url}/api/auth/session`, { headers: { cookie } });
  expect(await session.json()).toBeNull();
}

describe("Download my data", () => {
  it("downloads the user, the connection, its activity and the sessions as JSON, with no token and no ciphertext", async () => {
    const { page, userId } = await signIn();
    await page.goto(accountUrl());
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download my data" }).click(),
    ]);
    const text = await readFile((await download.path())!, "utf8");
    const data = JSON.parse(text);

    expect(data.user).toMatchObject({ id: userId, createdAt: expect.any(String) });
    expect(data.accounts).toEqual([expect.objectContaining({ provider: "make", providerAccountId: "1001" })]);
    expect(data.make.connection).toMatchObject({ state: "active", sub: "1001", hasRefreshToken: true });
    expect(data.make.activity.map((event: { kind: string }) => event.kind)).toContain("connected");
    expect(data.sessions).toHaveLength(1);

    const { accessToken, refreshToken } = await storedTokens(e2e.stack);
    const [stored] = await e2e.stack.query<Record<string, string>>(
      `SELECT a.access_token, a.refresh_token, a.id_token, s."sessionToken"
       FROM "Account" a JOIN "Session" s ON s."userId" = a."userId" WHERE a."userId" = $1`,
      [userId],
    );
    const sessionCookie = (await page.context().cookies()).find((c) => c.name.includes("session-token"))!;
    const secrets = [accessToken, refreshToken!, ...Object.values(stored!), sessionCookie.value];
    for (const secret of secrets)
      expect(text.includes(secret), "a stored secret is in the export").toBe(false);
    expect(text).not.toContain("enc:v");
  });
});

describe("Delete account", () => {
  it("refuses without DELETE typed, and deletes nothing", async () => {
    const { page, userId } = await signIn();
    await page.goto(accountUrl());
    await page.getByLabel("Type DELETE to confirm").fill("delete");
    await page.getByRole("button", { name: "Delete account" }).click();
    await expect.poll(() => page.locator("#delete-error").innerText()).toContain("Nothing was deleted");
    expect(await count(`SELECT count(*)::int AS n FROM "User" WHERE id = $1`, [userId])).toBe(1);
    expect(e2e.stack.standIn.controls.stats().revocations).toEqual([]);
  });

  it("revokes at Make, deletes every row of the user and signs the browser out for good", async () => {
    const { page, userId } = await signIn();
    const cookie = await cookieHeader(page.context(), e2e.stack.app.url);

    await deleteAccount(page);

    expect(await page.locator("[data-account-deleted]").count()).toBe(1);
    // Only the deletion itself says so: a link cannot.
    const linked = await e2e.newPage();
    await linked.goto(`${e2e.stack.app.url}/?deleted=1`);
    expect(await linked.locator("[data-account-deleted]").count()).toBe(0);
    // Both tokens are revoked (the stand-in ends the whole grant with the first, so it knows the second no more).
    const revocations = e2e.stack.standIn.controls.stats().revocations;
    expect(revocations.map((entry) => entry.tokenTypeHint)).toEqual(["access_token", "refresh_token"]);
    expect(revocations[0]!.found).toBe(true);
    expect(await rowsNaming(userId)).toEqual([]);
    expect(await count(`SELECT count(*)::int AS n FROM "PendingRevocation"`)).toBe(0);
    expect((await page.context().cookies()).some((c) => c.name.includes("session-token"))).toBe(false);
    await expectSignedOutForGood(cookie);
  });

  it("with Make down: deletes at once, keeps the revocations queued without the user, and the cron route delivers them", async () => {
    const { page, userId } = await signIn();
    const cookie = await cookieHeader(page.context(), e2e.stack.app.url);
    e2e.stack.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });

    await deleteAccount(page);

    expect(await rowsNaming(userId)).toEqual([]);
    expect(await count(`SELECT count(*)::int AS n FROM "PendingRevocation" WHERE "userId" IS NULL`)).toBe(2);
    await expectSignedOutForGood(cookie);

    e2e.stack.standIn.controls.reset();
    // The queue's backoff has not passed yet; the test stands in for the time until the next cron run.
    await e2e.stack.query(`UPDATE "PendingRevocation" SET "nextAttemptAt" = now() - interval '1 second'`);
    const response = await runCron();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ revocationsSettled: true });
    const delivered = e2e.stack.standIn.controls.stats().revocations;
    expect(delivered.map((entry) => [entry.tokenTypeHint, entry.found])).toEqual([
      ["access_token", true],
      ["refresh_token", false],
    ]);
    expect(await count(`SELECT count(*)::int AS n FROM "PendingRevocation"`)).toBe(0);
  });
});

describe("Delete account while Make hangs", () => {
  it("does not wait for Make's answer: the deletion completes and the revocations stay queued", async () => {
    const { page, userId } = await signIn();
    e2e.stack.standIn.controls.fail({ endpoint: "revocation", mode: "hang" });

    const started = Date.now();
    await deleteAccount(page);
    // Well under one request timeout (TOKEN_TIMEOUT_MS, 10 s here): Make's answer was not awaited.
    expect(Date.now() - started).toBeLessThan(8_000);

    expect(await rowsNaming(userId)).toEqual([]);
    expect(await count(`SELECT count(*)::int AS n FROM "PendingRevocation" WHERE "userId" IS NULL`)).toBe(2);
  });
});

describe("the cron route keeps idle connections alive", () => {
  it("renews a connection unused for 30 days, and a grant Make has ended shows why on the next visit", async () => {
    const { page, userId } = await signIn();
    const makeIdle = () =>
      e2e.stack.query(
        `UPDATE "Account" SET "lastRefreshedAt" = now() - interval '40 days', "connectedAt" = now() - interval '40 days' WHERE "userId" = $1`,
        [userId],
      );
    await makeIdle();
    const renewed = await (await runCron()).json();
    expect(renewed.renewals).toEqual({ renewed: 1, pending: 0, reauthRequired: 0, failed: 0, remaining: 0 });
    expect(e2e.stack.standIn.controls.stats().grants.refresh_token).toBe(1);

    await makeIdle();
    e2e.stack.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });
    const ended = await (await runCron()).json();
    expect(ended.renewals).toMatchObject({ reauthRequired: 1, remaining: 0 });

    await page.goto(`${e2e.stack.app.url}/dashboard`);
    expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
      "reauth_required",
    );
    expect(await page.locator('[data-status="reauth-reason"]').innerText()).toMatch(
      /Make refused to renew it.*invalid_grant/,
    );
    expect(await page.locator('[data-event="kept_alive"]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole("button", { name: "Reconnect" }).count()).toBe(1);
  });
});

describe("health", () => {
  it("stays ready while Make is unreachable, saying so in the body; liveness touches nothing", async () => {
    const closedPort = await freePort();
    const app = await startAppServer({
      port: await freePort(),
      env: {
        DATABASE_URL: e2e.stack.databaseUrl,
        AUTH_SECRET: TEST_AUTH_SECRET,
        AUTH_MAKE_ISSUER: `http://localhost:${closedPort}`,
        AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
        ...testTuning({ TOKEN_TIMEOUT_MS: 1000 }),
      },
    });
    try {
      const ready = await fetch(`${app.url}/api/health`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        ok: true,
        database: { ok: true },
        makeDiscovery: { ok: false },
      });
      const live = await fetch(`${app.url}/api/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ ok: true });
    } finally {
      await app.close();
    }
  });
});
