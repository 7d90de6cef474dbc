/**
 * What a user sees of the months: a connection that lapsed while they were away (the cron route lapses it,
 * the database's clock moved by a statement), and a session that ends AUTH_SESSION_MAX_AGE_DAYS after its
 * sign-in however often it is used; a Reconnect whose answer from Make arrives after the user deleted
 * their account (it creates nothing, and its grant is revoked). SHOTS_DIR, when set, receives the pages in light and dark.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { completeMakeLogin, signInWithMake } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { queuedRevocations } from "../support/stored-tokens";
import { grantIsLive } from "../support/grant-is-live";

const CRON_SECRET = "cron-secret-".padEnd(40, "c");
const e2e = useBrowserAndStack({
  client: "confidential",
  env: { CRON_SECRET, VERCEL: "1", AUTH_SESSION_MAX_AGE_DAYS: "30", MAKE_LAPSE_AFTER_DAYS: "90" },
});

async function shoot(page: Page, name: string) {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(dir, `${name}-${scheme}.png`), fullPage: true });
  }
}

describe("a connection unused for MAKE_LAPSE_AFTER_DAYS", () => {
  it("lapses in the cron run, and the user who comes back reads why and is offered Connect", async () => {
    const page = await e2e.newPage();
    await signInWithMake(page, e2e.stack.app.url);
    // Ninety-one days pass without a visit: the session's last use and the sign-in move back.
    await e2e.stack.query(`UPDATE "Account" SET "connectedAt" = "connectedAt" - interval '91 days',
      "lastRefreshedAt" = "lastRefreshedAt" - interval '91 days'`);
    await e2e.stack.query(`UPDATE "Session" SET "createdAt" = "createdAt" - interval '91 days',
      expires = expires - interval '91 days'`);
    const cron = await fetch(`${e2e.stack.app.url}/api/cron/revocations`, {
      headers: { authorization: `Bearer ${CRON_SECRET}` },
    });
    expect(await cron.json()).toMatchObject({ lapses: { lapsed: 1 }, revocations: { delivered: 2 } });
    expect(e2e.stack.standIn.controls.stats().grants.refresh_token).toBe(0); // never renewed

    // The user comes back, signed in again elsewhere than Make (the cron run deleted the expired session).
    const cookie = (await page.context().cookies()).find((c) => c.name.includes("session-token"))!;
    await e2e.stack.query(
      `INSERT INTO "Session" (id, "sessionToken", "userId", expires)
       SELECT 'back', $1, id, (now() AT TIME ZONE 'UTC') + interval '30 days' FROM "User"`,
      [createHash("sha256").update(cookie.value).digest("base64url")],
    );
    await page.goto(`${e2e.stack.app.url}/dashboard`);
    expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
      "lapsed",
    );
    expect(await page.getByText("Nobody used this connection for a long time").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Connect Make" }).count()).toBe(1);
    await shoot(page, "dashboard-lapsed");
  });
});

describe("the session's absolute lifetime", () => {
  it("is shown on the account page and ends the session however recently it was used", async () => {
    const page = await e2e.newPage();
    await signInWithMake(page, e2e.stack.app.url);
    await page.goto(`${e2e.stack.app.url}/dashboard/account`);
    const endsBy = await page.locator("[data-session-ends-by]").getAttribute("datetime");
    const [session] = await e2e.stack.query<{ createdAt: Date }>(
      `SELECT "createdAt" FROM "Session" ORDER BY "createdAt" DESC LIMIT 1`,
    );
    expect(new Date(endsBy!).getTime() - new Date(session!.createdAt).getTime()).toBe(30 * 86_400_000);
    expect(await page.locator("[data-session-lifetime]").innerText()).toContain("30 days after signing in");
    await shoot(page, "account-session");

    // Signed in 31 days ago and used every day since: its idle expiry is still weeks away, yet it is over.
    await e2e.stack.query(`UPDATE "Session" SET "createdAt" = (now() AT TIME ZONE 'UTC') - interval '31 days',
      expires = (now() AT TIME ZONE 'UTC') + interval '29 days'`);
    const dashboard = await page.goto(`${e2e.stack.app.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe("/");
    expect(dashboard?.ok()).toBe(true);
  });
});

describe("Delete account on a server that lacks the tokens' key", () => {
  it("says to try again in a moment, deletes nothing, and works once the key is back", async () => {
    const { stack } = e2e;
    const page = await e2e.newPage();
    await signInWithMake(page, stack.app.url);
    // As after a rollback: the tokens were sealed by a deployment with a key this server does not hold.
    const [sealed] = await stack.query<{ refresh_token: string }>(`SELECT refresh_token FROM "Account"`);
    await stack.query(
      `UPDATE "Account" SET refresh_token = regexp_replace(refresh_token, '^(enc:v[12]:)[^:]+:', '\\1unheld:')`,
    );
    await page.goto(`${stack.app.url}/dashboard/account`);
    await page.getByLabel("Type DELETE to confirm").fill("DELETE");
    const answer = page.waitForResponse((response) => response.request().method() === "POST");
    await page.getByRole("button", { name: "Delete account" }).click();
    expect((await answer).status()).toBe(200);
    await expect
      .poll(() => page.locator("#delete-error").innerText())
      .toMatch(/^Nothing was deleted\. .*Try again in a moment\.$/);
    expect(await stack.query(`SELECT id FROM "Account"`)).toHaveLength(1);
    await shoot(page, "account-key-unavailable");

    await stack.query(`UPDATE "Account" SET refresh_token = $1`, [sealed!.refresh_token]);
    await page.getByLabel("Type DELETE to confirm").fill("DELETE");
    await page.getByRole("button", { name: "Delete account" }).click();
    await page.waitForURL(`${stack.app.url}/`);
    expect(await stack.query(`SELECT id FROM "User"`)).toEqual([]);
  });
});

describe("a Reconnect whose answer arrives after Delete account", () => {
  it("creates no account, and leaves no live grant at Make", async () => {
    const { stack } = e2e;
    const page = await e2e.newPage();
    await signInWithMake(page, stack.app.url);
    await page.getByRole("button", { name: "Revoke" }).click();
    await page.locator('[data-connection-state="revoked"]').waitFor();

    // Make holds the code exchange; revocations wait in the queue so the test can try the tokens.
    stack.standIn.controls.configure({ tokenLatencyMs: 8_000 });
    stack.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    // Both listeners before the click: a stand-in that still holds Ada's login sends her straight back.
    const callback = page.waitForRequest((request) => request.url().includes("/api/auth/callback/make"));
    const askedToLogIn = Promise.race([
      page.waitForURL(/\/interaction\//).then(() => true),
      callback.then(() => false),
    ]);
    await page.getByRole("button", { name: "Reconnect" }).click();
    if (await askedToLogIn) await completeMakeLogin(page, { login: "ada" });
    await callback;

    const other = await page.context().newPage();
    await other.goto(`${stack.app.url}/dashboard/account`);
    await other.getByLabel("Type DELETE to confirm").fill("DELETE");
    await other.getByRole("button", { name: "Delete account" }).click();
    await other.waitForURL(`${stack.app.url}/`);
    expect(await stack.query(`SELECT id FROM "User"`)).toEqual([]);

    await page.waitForURL(`${stack.app.url}/?deleted=1`, { timeout: 20_000 });
    stack.standIn.controls.configure({ tokenLatencyMs: 0 });
    expect(await stack.query(`SELECT id FROM "User"`)).toEqual([]);
    expect(await stack.query(`SELECT id FROM "Account"`)).toEqual([]);
    // What the Reconnect got from Make is queued for revocation under nobody's name.
    const queued = await queuedRevocations(stack);
    const refreshTokens = queued.filter((row) => row.tokenTypeHint === "refresh_token");
    expect(refreshTokens.length).toBeGreaterThan(0);
    expect(queued.every((row) => row.userId === null)).toBe(true);

    stack.standIn.controls.fail({ endpoint: "revocation", mode: "off" });
    await stack.query(
      `UPDATE "PendingRevocation" SET "nextAttemptAt" = (now() AT TIME ZONE 'UTC') - interval '1 minute'`,
    );
    const cron = await fetch(`${stack.app.url}/api/cron/revocations`, {
      headers: { authorization: `Bearer ${CRON_SECRET}` },
    });
    expect(await cron.json()).toMatchObject({ revocationsSettled: true });
    for (const { token } of refreshTokens) expect(await grantIsLive(e2e.stack.standIn, token)).toBe(false);
  });
});
