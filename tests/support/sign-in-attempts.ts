/**
 * What the security tests need around a sign-in: start one in a real browser and hold Make's answer (the
 * authorization response) before it reaches the app, so the test can alter, replay or misdeliver it; count
 * the rows a sign-in writes; read the error page a refused sign-in lands on.
 *
 * Holding the answer: Playwright cannot intercept the redirect hops that lead back to the app, so the test
 * intercepts the consent form post (the first request of that chain) and follows the chain itself with the
 * browser context's own cookies, stopping at the app's callback URL.
 */
import { expect } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { SIGN_IN_FAILURE_MESSAGES } from "@/app/auth/error/messages";
import type { SignInFailure } from "@/lib/auth/sign-in-errors";
import { completeMakeLogin } from "./browser";
import type { Stack } from "./stack";

export const callbackUrlOf = (appUrl: string) => `${appUrl}/api/auth/callback/make`;

/** Clicks "Sign in with Make" on the landing page and waits for Make's login page. */
export async function startSignIn(page: Page, appUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await page.waitForURL(/\/interaction\//);
}

/**
 * Signs in at Make in `page` and returns the authorization response Make sent back (the callback URL with
 * `code`, `state`, `iss`), undelivered: the app has not seen it, the browser keeps the app's state cookies.
 */
export async function holdAuthorizationResponse(page: Page, appUrl: string, login = "ada"): Promise<URL> {
  const context = page.context();
  const pattern = "**/interaction/*/consent";
  let resolve!: (url: URL) => void;
  let reject!: (error: unknown) => void;
  const held = new Promise<URL>((ok, fail) => ((resolve = ok), (reject = fail)));
  await context.route(pattern, async (route) => {
    try {
      let response = await route.fetch({ maxRedirects: 0 });
      let url = new URL(route.request().url());
      for (let hop = 0; hop < 5; hop++) {
        const location = response.headers().location;
        if (!location)
          throw new Error(
            `Make answered ${response.status()} instead of redirecting: ${await response.text()}`,
          );
        url = new URL(location, url);
        if (url.href.startsWith(callbackUrlOf(appUrl))) {
          resolve(url);
          return await route.fulfill({
            status: 200,
            contentType: "text/html",
            body: "<p>held by the test</p>",
          });
        }
        response = await context.request.get(url.href, { maxRedirects: 0 });
      }
      throw new Error("Make did not redirect back to the app");
    } catch (error) {
      reject(error);
      await route.abort();
    }
  });
  await startSignIn(page, appUrl);
  await completeMakeLogin(page, { login });
  const url = await held;
  await context.unroute(pattern);
  return url;
}

/** The Cookie header the browser would send to `url`. */
export async function cookieHeader(context: BrowserContext, url: string): Promise<string> {
  return (await context.cookies(url)).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

export async function hasSessionCookie(context: BrowserContext): Promise<boolean> {
  return (await context.cookies()).some((cookie) => cookie.name.includes("session-token"));
}

export interface RowCounts {
  users: number;
  accounts: number;
  sessions: number;
  events: number;
}

/** Everything a sign-in can write. */
export async function rowCounts(stack: Pick<Stack, "query">): Promise<RowCounts> {
  const [counts] = await stack.query<RowCounts>(
    `SELECT (SELECT count(*) FROM "User")::int AS users, (SELECT count(*) FROM "Account")::int AS accounts,
            (SELECT count(*) FROM "Session")::int AS sessions, (SELECT count(*) FROM "ConnectionEvent")::int AS events`,
  );
  return counts!;
}

/** The error page a refused sign-in must land on: the reason, in the page's own plain words. */
export async function expectSignInErrorPage(page: Page, reason: SignInFailure): Promise<void> {
  await page.waitForURL((url) => url.pathname === "/auth/error" || url.pathname === "/dashboard");
  const url = new URL(page.url());
  expect(`${url.pathname}?${url.searchParams}`).toBe(`/auth/error?reason=${reason}`);
  const alert = page.locator("[data-sign-in-error]");
  expect(await alert.getAttribute("data-sign-in-error")).toBe(reason);
  expect(await alert.getByRole("heading").innerText()).toBe(SIGN_IN_FAILURE_MESSAGES[reason].title);
}

/** Refused means: the error page, no session cookie in the browser, and nothing written. */
export async function expectRefused(
  page: Page,
  stack: Pick<Stack, "query">,
  before: RowCounts,
  reason: SignInFailure,
) {
  await expectSignInErrorPage(page, reason);
  expect(await hasSessionCookie(page.context())).toBe(false);
  expect(await rowCounts(stack)).toEqual(before);
}
