/**
 * A revocation Make has not confirmed yet, while the connection itself is active and fresh (the session
 * read's fast path): the dashboard says so, and its visit schedules a delivery that settles it once Make
 * answers again.
 */
import { describe, expect, it } from "vitest";
import { signInWithMake } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { sealedForStack } from "../support/stored-tokens";

const setup = useBrowserAndStack({ client: "confidential" });

describe("a queued revocation beside an active connection", () => {
  it("shows the pending notice on a fresh-token view, and the visit's delivery settles it", async () => {
    const { stack } = setup;
    const page = await setup.newPage();
    await signInWithMake(page, stack.app.url);

    // Tokens dropped earlier (say, a renewal that lost to a Reconnect) and not yet confirmed by Make.
    stack.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    const token = await sealedForStack(stack, "an-access-token-dropped-earlier", "token", "queued-1");
    await stack.query(
      `INSERT INTO "PendingRevocation" (id, "userId", token, "tokenTypeHint")
       SELECT 'queued-1', "userId", $1, 'access_token' FROM "Account" WHERE provider = 'make'`,
      [token],
    );

    await page.reload();
    expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
      "active",
    );
    expect(await page.locator('[data-status="revocation-pending"]').innerText()).toContain(
      "Make has not confirmed the revocation yet",
    );

    // That view's own delivery attempt meets the failing Make; wait for it to be recorded before Make is back.
    for (let i = 0; i < 50; i++) {
      const [row] = await stack.query<{ attempts: number }>(`SELECT attempts FROM "PendingRevocation"`);
      if (row && row.attempts > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    stack.standIn.controls.reset();
    await stack.query(`UPDATE "PendingRevocation" SET "nextAttemptAt" = now() - interval '1 second'`);
    await page.reload();
    for (let i = 0; i < 50; i++) {
      const [row] = await stack.query<{ n: number }>(`SELECT count(*)::int AS n FROM "PendingRevocation"`);
      if (row!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await stack.query(`SELECT id FROM "PendingRevocation"`)).toEqual([]);
    expect(stack.standIn.controls.stats().revocations).toContainEqual(
      expect.objectContaining({ tokenTypeHint: "access_token" }),
    );
    await page.reload();
    expect(await page.locator('[data-status="revocation-pending"]').count()).toBe(0);
  });
});
