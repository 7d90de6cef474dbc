/**
 * Every page, in the light and the dark colour scheme: axe-core's WCAG 2 A/AA rules find nothing, the page
 * follows the system's scheme, and nothing the browser fetches answers 404 (the icons it declares included).
 * A new page is one row of PAGES.
 */
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import type { BrowserContextOptions, Page } from "playwright-core";
import type { AxeResults } from "axe-core";
import { site } from "@/lib/site";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";

interface PageUnderTest {
  name: string;
  path: string;
  signedIn?: boolean;
  /** Shown once the page has rendered what is checked, so an empty or wrong page cannot pass. */
  shows: string;
  /** The page's own HTTP status when it is not 200 (the 404 page). */
  status?: number;
}

const PAGES: PageUnderTest[] = [
  { name: "the landing page", path: "/", shows: "button:has-text('Sign in with Make')" },
  { name: "the dashboard", path: "/dashboard", signedIn: true, shows: "[data-connection-state=active]" },
  {
    name: "the scenarios page",
    path: "/dashboard/scenarios",
    signedIn: true,
    shows: "[data-team='7011'] [data-scenario]",
  },
  {
    name: "the account page",
    path: "/dashboard/account",
    signedIn: true,
    shows: "label:has-text('Type DELETE to confirm')",
  },
  { name: "a sign-in error page", path: "/auth/error?reason=access_denied", shows: "[data-sign-in-error]" },
  {
    name: "the account-mismatch page",
    path: "/auth/account-mismatch",
    signedIn: true,
    shows: "[data-connected-make-user]",
  },
  { name: "the page-not-found page", path: "/no-such-page", shows: "[data-not-found]", status: 404 },
];

const SCHEMES = ["light", "dark"] as const;
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

const axeSource = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const fixture = useBrowserAndStack({ client: "confidential" });
let signedInState: BrowserContextOptions["storageState"];

beforeAll(async () => {
  const page = await fixture.newPage();
  await page.goto(fixture.stack.app.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(`${fixture.stack.app.url}/dashboard`);
  signedInState = await page.context().storageState();
});

/** Opens the page in the given scheme and records every response of 404 the browser sees meanwhile. */
async function open(target: PageUnderTest, colorScheme: (typeof SCHEMES)[number]) {
  const page = await fixture.newPage({
    colorScheme,
    storageState: target.signedIn ? signedInState : undefined,
    // axe-core is injected as an inline script, which the app's Content-Security-Policy rightly refuses.
    bypassCSP: true,
  });
  const notFound: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 404) notFound.push(new URL(response.url()).pathname);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("404")) {
      notFound.push(new URL(message.location().url).pathname);
    }
  });
  const response = await page.goto(`${fixture.stack.app.url}${target.path}`, { waitUntil: "load" });
  expect(response?.status()).toBe(target.status ?? 200);
  await page.locator(target.shows).first().waitFor();
  await page.waitForLoadState("networkidle");
  return { page, notFound };
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: await axeSource });
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run: (options: object) => Promise<AxeResults> } }).axe.run({
        runOnly: { type: "tag", values: tags },
      }),
    WCAG_AA,
  );
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${node.target.join(" ")}`),
  );
}

/** The page background's lightness from 0 to 1, read back from a canvas (Tailwind's colours are oklch). */
const backgroundLightness = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.createElement("canvas").getContext("2d")!;
    canvas.fillStyle = getComputedStyle(document.body).backgroundColor;
    canvas.fillRect(0, 0, 1, 1);
    const [r, g, b] = canvas.getImageData(0, 0, 1, 1).data;
    return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
  });

describe.each(PAGES)("$name", (target) => {
  it.each(SCHEMES)("passes WCAG 2 A/AA (axe-core) with no violation in the %s scheme", async (scheme) => {
    const { page } = await open(target, scheme);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("follows the system's light or dark setting", async () => {
    const light = await backgroundLightness((await open(target, "light")).page);
    const dark = await backgroundLightness((await open(target, "dark")).page);
    expect(light).toBeGreaterThan(0.8);
    expect(dark).toBeLessThan(0.2);
  });

  it("loads with no 404 in the browser, and every icon it declares loads", async () => {
    const { page, notFound } = await open(target, "light");
    const ownPath = new URL(page.url()).pathname;
    expect(notFound.filter((path) => !(target.status === 404 && path === ownPath))).toEqual([]);

    const declared = await page
      .locator('link[rel~="icon"], link[rel="apple-touch-icon"], link[rel="manifest"]')
      .evaluateAll((links) =>
        links.map((link) => `${link.getAttribute("rel")} ${(link as HTMLLinkElement).href}`),
      );
    expect(declared.map((entry) => entry.split(" ")[0])).toEqual(
      expect.arrayContaining(["icon", "apple-touch-icon", "manifest"]),
    );
    // Browsers and crawlers also ask for /favicon.ico whatever the page declares.
    for (const url of [
      ...declared.map((entry) => entry.split(" ")[1]!),
      `${fixture.stack.app.url}/favicon.ico`,
    ]) {
      expect(`${(await page.request.get(url)).status()} ${url}`).toBe(`200 ${url}`);
    }
  });
});

describe("the landing page's metadata", () => {
  it("has the app's title, a description and a 1200×630 Open Graph image on the public URL", async () => {
    const { page } = await open(PAGES[0]!, "light");
    expect(await page.title()).toBe(site.name);
    const meta = (selector: string) => page.locator(selector).getAttribute("content");
    expect(await meta('meta[name="description"]')).toBe(site.description);
    expect(await meta('meta[property="og:title"]')).toBe(site.name);
    const image = await meta('meta[property="og:image"]');
    expect(image).toBe(`${fixture.stack.app.url}/og.png`);
    const png = Buffer.from(await (await page.request.get(image!)).body());
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
  });
});

describe("the dashboard's navigation", () => {
  it("marks the page that is open with aria-current, after a client-side navigation too", async () => {
    const { page } = await open(PAGES[1]!, "light");
    const navigation = page.getByRole("navigation", { name: "Main" });
    const current = () => navigation.locator('[aria-current="page"]').innerText();
    expect(await current()).toBe("Dashboard");
    await navigation.getByRole("link", { name: "Scenarios" }).click();
    await page.waitForURL(`${fixture.stack.app.url}/dashboard/scenarios`);
    await expect.poll(current).toBe("Scenarios");
    expect(await navigation.getByRole("link").allInnerTexts()).toEqual(
      expect.arrayContaining(["Dashboard", "Scenarios", "Account"]),
    );
  });
});
