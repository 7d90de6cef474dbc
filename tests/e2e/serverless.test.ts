/**
 * The app as Vercel runs it: two instances of the production build, each suspended as soon as nothing is
 * in flight and no registered work is pending, and discarded when the test says so
 * (tests/support/serverless/README.md). Work left unregistered after a response is lost here, as there.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { STAND_IN_USERS } from "@/make-stand-in/users";
import { signInWithMake } from "../support/browser";
import { TEST_DIST_DIR } from "../support/app-server";
import { useBrowserAndStack } from "../support/browser-stack";
import { testTuning } from "../support/test-tuning";

/** TOKEN_TIMEOUT_MS of both instances: callers wait this long for Make. */
const T = 4_000;
const CRON_SECRET = "serverless-cron-secret";

const e2e = useBrowserAndStack({
  servers: 2,
  serverless: true,
  env: { ...testTuning({ TOKEN_TIMEOUT_MS: T }), CRON_SECRET },
});
const instance = (server: number) => e2e.stack.apps[server]!.instance!;
const stats = () => e2e.stack.standIn.controls.stats();
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function signedIn(
  server: number,
  login: string,
): Promise<{ page: Page; cookie: string; userId: string }> {
  const page = await e2e.newPage();
  await signInWithMake(page, e2e.stack.apps[server]!.url, login);
  const cookie = (await page.context().cookies()).map((entry) => `${entry.name}=${entry.value}`).join("; ");
  const sub = STAND_IN_USERS.find((user) => user.login === login)!.sub;
  const [row] = await e2e.stack.query<{ userId: string }>(
    `SELECT "userId" FROM "Account" WHERE provider = 'make' AND "providerAccountId" = $1`,
    [sub],
  );
  return { page, cookie, userId: row!.userId };
}

const connection = async (userId: string) =>
  (await e2e.stack.query<{ state: string }>(`SELECT state FROM "Account" WHERE "userId" = $1`, [userId]))[0];

/** Every refresh token Make was shown, as digests: a repeat is a reuse, which ends the grant at Make. */
async function presentedTwice() {
  const seen = (await stats()).refreshTokens.map((use) => use.fingerprint);
  return seen.filter((fingerprint, index) => seen.indexOf(fingerprint) !== index);
}

describe("a refresh Make answers after the response", () => {
  it("is stored though the instance freezes and is discarded: the next instance finds the connection active", async () => {
    const { cookie, userId } = await signedIn(0, "ada");
    await e2e.stack.query(`UPDATE "Account" SET expires_at = $1 WHERE "userId" = $2`, [
      nowSeconds() - 5,
      userId,
    ]);
    e2e.stack.standIn.controls.configure({ tokenLatencyMs: 1.5 * T });

    // Callers wait T; Make answers at 1.5 T.
    const first = await fetch(`${e2e.stack.apps[0]!.url}/api/make/me`, { headers: { cookie } });
    expect(first.status).toBe(503);
    await expect
      .poll(async () => (await stats()).refreshTokens.map((use) => use.outcome), { timeout: 3 * T })
      .toEqual(["answered"]);
    // The platform freezes the instance once nothing it registered is pending, then discards it.
    await instance(0).frozenWithin(20_000);
    await instance(0).discard();
    // The lease has ended by now on the database's clock (moved by a statement, not waited for).
    await e2e.stack.query(
      `UPDATE "Account" SET "refreshLeaseUntil" = now() - interval '1 second' WHERE "refreshLeaseUntil" IS NOT NULL`,
    );

    e2e.stack.standIn.controls.configure({ tokenLatencyMs: 0 });
    const second = await fetch(`${e2e.stack.apps[1]!.url}/api/make/me`, { headers: { cookie } });
    expect(second.status).toBe(200);
    expect(await connection(userId)).toEqual({ state: "active" });
    expect((await stats()).grants.refresh_token).toBe(1);
    expect(await presentedTwice()).toEqual([]);
  });
});

describe("revocations on a freezing instance", () => {
  /**
   * Clicks a button that revokes and waits for Make to have both revocations; returns those Make answered
   * while the instance was suspended: requests it had sent before a freeze left unfinished.
   */
  async function revokeAndWatch(server: number, click: () => Promise<void>) {
    await instance(server).frozenWithin(10_000);
    await click();
    await expect.poll(async () => (await stats()).revocations.length, { timeout: 4 * T }).toBe(2);
    await instance(server).frozenWithin(10_000);
    const received = (await stats()).revocations.map((revocation) => Date.parse(revocation.at));
    return received.filter((at) => instance(server).wasFrozenAt(at));
  }

  it("Delete account: Make receives both revocations before the instance freezes, though Make is slow", async () => {
    const { page } = await signedIn(1, "sub-only");
    await page.goto(`${e2e.stack.apps[1]!.url}/dashboard/account`);
    await page.getByLabel("Type DELETE to confirm").fill("DELETE");
    // Slower than the page's patience with Make (it answers meanwhile), faster than a timeout.
    e2e.stack.standIn.controls.configure({ revocationLatencyMs: 2_500 });

    const answeredWhileFrozen = await revokeAndWatch(1, () =>
      page.getByRole("button", { name: "Delete account" }).click(),
    );
    expect(answeredWhileFrozen).toEqual([]);
    expect(await e2e.stack.query(`SELECT id FROM "PendingRevocation"`)).toEqual([]);
  });

  it("Revoke: Make receives both revocations before the instance freezes", async () => {
    const { page, userId } = await signedIn(1, "mallory");
    e2e.stack.standIn.controls.configure({ revocationLatencyMs: 1_000 });

    const answeredWhileFrozen = await revokeAndWatch(1, () =>
      page.getByRole("button", { name: "Revoke" }).click(),
    );
    expect(answeredWhileFrozen).toEqual([]);
    expect(await connection(userId)).toEqual({ state: "revoked" });
  });
});

describe("the cron run on a freezing instance", () => {
  it("reports a renewal Make has not answered yet as pending, and the instance stays up until it is stored", async () => {
    const { userId } = await signedIn(1, "colleague-1");
    const idleSince = new Date(Date.now() - 40 * 86_400_000);
    await e2e.stack.query(
      `UPDATE "Account" SET "connectedAt" = $1, "lastRefreshedAt" = $1 WHERE "userId" = $2`,
      [idleSince, userId],
    );
    await e2e.stack.query(`UPDATE "Account" SET "lastRefreshedAt" = now() WHERE "userId" <> $1`, [userId]);
    const grantsBefore = (await stats()).grants.refresh_token;
    e2e.stack.standIn.controls.configure({ tokenLatencyMs: 1.5 * T });

    const run = await fetch(`${e2e.stack.apps[1]!.url}/api/cron/revocations`, {
      headers: { authorization: `Bearer ${CRON_SECRET}` },
    });
    expect(run.status).toBe(200);
    expect((await run.json()).renewals).toMatchObject({ renewed: 0, pending: 1, failed: 0 });

    await instance(1).frozenWithin(20_000);
    const [row] = await e2e.stack.query<{ state: string; lastRefreshedAt: Date }>(
      `SELECT state, "lastRefreshedAt" FROM "Account" WHERE "userId" = $1`,
      [userId],
    );
    expect(row!.state).toBe("active");
    expect(row!.lastRefreshedAt.getTime()).toBeGreaterThan(idleSince.getTime());
    expect((await stats()).grants.refresh_token).toBe(grantsBefore + 1);
    expect(await presentedTwice()).toEqual([]);
  });
});

describe("time limits in the build", () => {
  it("gives every page, action and route 60 s, enough for a refresh's whole lease, and the cron route 300 s", async () => {
    const manifest = path.resolve(
      import.meta.dirname,
      "../..",
      TEST_DIST_DIR,
      "server/functions-config-manifest.json",
    );
    const { functions } = JSON.parse(await readFile(manifest, "utf8")) as {
      functions: Record<string, { maxDuration?: number }>;
    };
    const limits = Object.fromEntries(
      Object.entries(functions)
        .filter(([route]) => route !== "/_middleware")
        .map(([route, config]) => [route, config.maxDuration]),
    );
    // T ≤ 10 s of discovery before the claim, then the holder's 3T + 15 s: 55 s (lib/make/README.md).
    for (const [route, limit] of Object.entries(limits))
      expect([route, limit]).toEqual([route, route === "/api/cron/revocations" ? 300 : 60]);
    expect(Object.keys(limits)).toEqual(
      expect.arrayContaining([
        "/dashboard",
        "/dashboard/scenarios",
        "/api/make/me",
        "/api/auth/[...nextauth]",
      ]),
    );
  });
});
