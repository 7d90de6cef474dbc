/**
 * Every page against Make's answers in the shapes Make's own SDK tests use (the stand-in's `answerShapes:
 * "sdk-samples"`): the dashboard, the scenarios page and the account page render, an organization without
 * its zone says so, and a Run now is followed from RUNNING to its end (ERROR, with Make's message) without
 * a reload. With SHOTS_DIR set, each page is screenshotted in light and dark.
 */
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";

const e2e = useBrowserAndStack({ client: "confidential" });
const url = (pathname: string) => `${e2e.stack.app.url}${pathname}`;
const SHOTS_DIR = process.env.SHOTS_DIR;

beforeEach(async () => {
  await e2e.stack.query(`DELETE FROM "User"`);
  e2e.stack.standIn.controls.configure({ answerShapes: "sdk-samples" });
});

async function shoot(page: Page, name: string) {
  if (!SHOTS_DIR) return;
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SHOTS_DIR, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

async function signIn(): Promise<Page> {
  const page = await e2e.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(e2e.stack.app.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(url("/dashboard"));
  return page;
}

const runButton = (page: Page, scenarioId: number) =>
  page.locator(`[data-scenario="${scenarioId}"]`).getByRole("button", { name: /^Run now/ });

describe("pages against the SDK's sample answers", () => {
  it("renders the dashboard, the scenarios and the account page; an organization without a zone says so", async () => {
    const page = await signIn();
    const identity = await page.locator("main").innerText();
    expect(identity).toContain("Awesome Maker");
    // The sample's avatar is "...": no broken image, the initials instead.
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.locator('[data-zone="unknown"]').innerText()).toContain("zone unknown");
    await shoot(page, "dashboard");

    await page.goto(url("/dashboard/scenarios"));
    await page.locator('[data-team="18"]').waitFor();
    expect(await page.locator('[data-organization="5011"] [data-zone-unknown]').innerText()).toContain(
      "Make did not say which zone this organization lives in",
    );
    expect(await page.locator('[data-team-unlisted="true"] h3').allInnerTexts()).toEqual([
      expect.stringContaining("Team 18"),
      expect.stringContaining("Team 19"),
    ]);
    expect(await page.locator('[data-scenario="418340"]').innerText()).toContain("Not scheduled");
    expect(await page.locator('[data-scenario="723615"]').innerText()).toContain("On demand");
    // Active scenarios can be run, whatever their schedule; the inactive one cannot.
    expect(await runButton(page, 723615).count()).toBe(1);
    expect(await runButton(page, 418340).count()).toBe(1);
    expect(await runButton(page, 418339).count()).toBe(0);
    await shoot(page, "scenarios");

    await page.goto(url("/dashboard/account"));
    await page.getByRole("button", { name: "Delete account" }).waitFor();
    await shoot(page, "account");
  });

  it("follows a run from RUNNING to ERROR without a reload and shows Make's message; a second run is refused in plain words", async () => {
    e2e.stack.standIn.controls.configure({
      executionOutcome: {
        status: "ERROR",
        runningMs: 5_000,
        error: { name: "DataError", message: "The spreadsheet 'Enrollments' was not found." },
      },
    });
    const page = await signIn();
    await page.goto(url("/dashboard/scenarios"));
    await runButton(page, 723615).click();
    // The first Run now asks Make for `scenarios:run`.
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(url("/dashboard/scenarios"));
    await runButton(page, 723615).click();
    await page.waitForURL(/\?run=/);
    const result = page.locator("[data-run-result]");
    await result.waitFor();
    expect(await result.getAttribute("data-execution-status")).toBe("RUNNING");
    expect(await result.innerText()).toContain("is running at Make");
    await shoot(page, "run-running");

    // While it runs, Make refuses a second run: said in plain words, with what to do.
    const other = await page.context().newPage();
    await other.goto(url("/dashboard/scenarios"));
    await runButton(other, 723615).click();
    await other.waitForURL(/\?run=/);
    const secondRun = other.url();
    expect(await other.locator("[data-run-result]").innerText()).toContain(
      "This scenario is already running at Make, and Make runs one execution of it at a time. Wait for that run to end",
    );
    // A scenario switched off at Make since the page was drawn: Make's "not activated", in plain words.
    await other.goto(url("/dashboard/scenarios"));
    const fields = await other
      .locator('[data-run-form="723615"]')
      .evaluate((form) =>
        Object.fromEntries(new FormData(form as HTMLFormElement) as unknown as Iterable<[string, string]>),
      );
    const posted = await other.request.post(url("/dashboard/scenarios"), {
      multipart: { ...fields, scenarioId: "418339" },
      headers: { origin: e2e.stack.app.url },
      maxRedirects: 0,
    });
    await other.goto(new URL(posted.headers().location!, e2e.stack.app.url).href);
    expect(await other.locator("[data-run-result]").innerText()).toContain(
      "This scenario is switched off at Make, and Make runs only active scenarios. Turn it on at Make",
    );
    // A scenario this app cannot place (it may sit in the organization whose zone is unknown): said in words.
    const unplaced = await other.request.post(url("/dashboard/scenarios"), {
      multipart: { ...fields, requestKey: crypto.randomUUID(), scenarioId: "999999" },
      headers: { origin: e2e.stack.app.url },
      maxRedirects: 0,
    });
    await other.goto(new URL(unplaced.headers().location!, e2e.stack.app.url).href);
    expect(await other.locator('[data-run-result="zone_unknown"]').innerText()).toContain(
      "This scenario cannot be run from here: Make did not say which zone its organization lives in",
    );
    await other.close();

    await page.locator('[data-execution-status="ERROR"]').waitFor({ timeout: 15_000 });
    expect(await page.locator("[data-run-error]").innerText()).toBe(
      "Make says: “The spreadsheet 'Enrollments' was not found.”",
    );
    const runs = e2e.stack.standIn.controls.stats().runs;
    expect(runs.map((run) => [run.scenarioId, run.responsive])).toEqual([[723615, false]]);
    await shoot(page, "run-error");

    // Reloading shows the stored outcome and asks Make nothing more.
    const asked = () =>
      e2e.stack.standIn.controls.stats().api.filter((call) => call.path.includes("/executions/")).length;
    const before = asked();
    await page.reload();
    await page.locator('[data-execution-status="ERROR"]').waitFor();
    // The scenario's other recent runs, with their outcome: here the refused second one; there this one.
    expect(await page.locator("[data-recent-outcome]").allInnerTexts()).toEqual(["refused by Make"]);
    await page.goto(secondRun);
    expect(await page.locator("[data-recent-outcome]").allInnerTexts()).toEqual(["ERROR"]);
    expect(asked()).toBe(before);
  });
});
