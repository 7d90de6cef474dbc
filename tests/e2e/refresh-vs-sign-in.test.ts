/**
 * A renewal that loses the race to a new sign-in of the same user (Reconnect, Grant access, or signing in
 * again) must not end the connection that sign-in just made: at a server where revoking a refresh token
 * ends the whole grant (the stand-in), revoking the late renewal's refresh token would do exactly that.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { completeMakeLogin, signInWithMake } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";

const setup = useBrowserAndStack({ client: "confidential" });

/** What a "Sign in with Make" from a signed-in browser posts (the landing page sends it to the dashboard). */
async function signInAgain(page: Page) {
  await page.evaluate(async () => {
    const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    const form = Object.assign(document.createElement("form"), {
      method: "POST",
      action: "/api/auth/signin/make",
    });
    for (const [name, value] of Object.entries({ csrfToken, callbackUrl: "/dashboard" })) {
      form.append(Object.assign(document.createElement("input"), { type: "hidden", name, value }));
    }
    document.body.append(form);
    form.submit();
  });
}

describe("a renewal in flight while the user signs in again", () => {
  it("keeps the new connection working once the late renewal is discarded", async () => {
    const { stack } = setup;
    const page = await setup.newPage();
    await signInWithMake(page, stack.app.url);

    stack.standIn.controls.configure({ refreshLatencyMs: 5_000 });
    await stack.query(`UPDATE "Account" SET expires_at = extract(epoch from now())::int - 10`);
    const cookie = (await page.context().cookies(stack.app.url))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    const renewal = fetch(`${stack.app.url}/api/make/me`, { headers: { cookie } });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the renewal's request is at Make now

    await signInAgain(page);
    await completeMakeLogin(page, { login: "ada" }).catch(() => {}); // Make may remember the consent
    await page.waitForURL(`${stack.app.url}/dashboard`);
    await renewal;
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for a revocation, were one sent
    stack.standIn.controls.configure({ refreshLatencyMs: 0 });

    const hints = stack.standIn.controls.stats().revocations.map((entry) => entry.tokenTypeHint);
    expect(hints).toEqual([]); // the late renewal's tokens lapse unused
    const me = await fetch(`${stack.app.url}/api/make/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    await page.reload();
    expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
      "active",
    );
  });
});
