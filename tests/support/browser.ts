/**
 * Debian's Chromium driven by Playwright (a browser downloaded by Playwright cannot run here), headless,
 * with the background networking that would reach the internet switched off.
 */
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/**
 * After "Sign in with Make" (or "Reconnect"): logs in at the stand-in and answers consent, when it asks.
 * A stand-in that still has a login session and a grant sends the browser straight back to the app.
 */
export async function completeMakeLogin(
  page: Page,
  user: { login: string; password?: string },
  consent: "Allow" | "Deny" = "Allow",
) {
  const askedToLogIn = await Promise.race([
    page.waitForURL(/\/interaction\//).then(() => true),
    page.waitForRequest((request) => request.url().includes("/api/auth/callback/make")).then(() => false),
  ]);
  if (!askedToLogIn) return;
  if (await page.locator('input[name="login"]').count()) {
    await page.fill('input[name="login"]', user.login);
    await page.fill('input[name="password"]', user.password ?? "password");
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await page.getByRole("button", { name: consent }).click();
}

/** Signs `login` in from the landing page's "Sign in with Make", and waits for the dashboard. */
export async function signInWithMake(page: Page, appUrl: string, login = "ada") {
  await page.goto(appUrl);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login });
  await page.waitForURL(`${appUrl}/dashboard`);
}
