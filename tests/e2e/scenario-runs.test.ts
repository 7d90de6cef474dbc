/**
 * "Run now" on /dashboard/scenarios, end to end: offered for every active scenario; `scenarios:run` is asked
 * for through Make's consent only when a run needs it; a run shows the execution Make started and its
 * status as Make reports it; a double click and a resubmitted form start one run; Make's refusals (an
 * inactive scenario, 403, 429) reach the page in Make's words, and none is retried; a run spends the budget
 * of the scenario's own organization, whatever the form says; and one user reloading a run cannot starve a
 * colleague in the same organization.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";

const e2e = useBrowserAndStack({ client: "confidential" });
const scenariosUrl = () => `${e2e.stack.app.url}/dashboard/scenarios`;
const stats = () => e2e.stack.standIn.controls.stats();
const runRequests = () =>
  stats().api.filter((call) => /^\/api\/v2\/scenarios\/\d+\/run$/.test(call.path)).length;

beforeEach(async () => {
  await e2e.stack.query(`DELETE FROM "User"`);
  await e2e.stack.query(`DELETE FROM "MakeApiBudget"`);
  await e2e.stack.query(`DELETE FROM "MakeApiBudgetShare"`);
});

const runButton = (page: Page, scenarioId: number) =>
  page.locator(`[data-scenario="${scenarioId}"]`).getByRole("button", { name: /^Run now/ });

/** Signs in as ada (who has not granted `scenarios:run`) and opens the scenarios page. */
async function openScenarios(login = "ada"): Promise<Page> {
  const page = await e2e.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(e2e.stack.app.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login });
  await page.waitForURL(`${e2e.stack.app.url}/dashboard`);
  await page.goto(scenariosUrl());
  await runButton(page, 9101).waitFor();
  return page;
}

/** The first "Run now" asks Make for `scenarios:run`; back on the page, the scope is granted. */
async function grantRuns(page: Page) {
  await runButton(page, 9101).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL(scenariosUrl());
  await runButton(page, 9101).waitFor();
  expect(stats().runs).toEqual([]);
}

const result = (page: Page) => page.locator("[data-run-result]");

/** Posts a rendered Run now form with some fields changed (as a tampered or stale form would); returns where it led. */
async function postRunForm(page: Page, changes: Record<string, string>, scenarioId = 9101): Promise<string> {
  const fields = await page
    .locator(`[data-run-form="${scenarioId}"]`)
    .evaluate((form) =>
      Object.fromEntries(new FormData(form as HTMLFormElement) as unknown as Iterable<[string, string]>),
    );
  const posted = await page.request.post(scenariosUrl(), {
    multipart: { ...fields, ...changes },
    headers: { origin: e2e.stack.app.url },
    maxRedirects: 0,
  });
  expect(posted.status()).toBe(303);
  return new URL(posted.headers().location!, e2e.stack.app.url).href;
}

describe("Run now", () => {
  it("asks for scenarios:run when first needed, then starts a run and shows its execution and Make's status", async () => {
    const page = await openScenarios();
    // Every active scenario can be run, whatever its schedule; an inactive one cannot.
    expect(await runButton(page, 9100).count()).toBe(1);
    expect(await runButton(page, 9102).count()).toBe(0);
    await grantRuns(page);

    await runButton(page, 9101).click();
    await page.waitForURL(/\?run=/);
    await result(page).waitFor();

    expect(await result(page).getAttribute("data-run-result")).toBe("started");
    const runs = stats().runs;
    expect(runs.map((run) => [run.scenarioId, run.responsive])).toEqual([[9101, false]]);
    expect(await page.locator("[data-run-execution]").innerText()).toBe(runs[0]!.executionId);
    expect(await page.locator("[data-run-status]").innerText()).toBe("SUCCESS");
    const statusCall = stats().api.find((call) => call.path.includes(`/executions/${runs[0]!.executionId}`));
    expect(statusCall).toMatchObject({ zone: e2e.stack.standIn.zones[0], status: 200 });
  });

  it("starts one run for a double click, and none for the same form submitted again", async () => {
    const page = await openScenarios();
    await grantRuns(page);
    const form = page.locator('[data-run-form="9101"]');
    const sameForm = await form.evaluate((element) =>
      Object.fromEntries(new FormData(element as HTMLFormElement) as unknown as Iterable<[string, string]>),
    );

    await runButton(page, 9101).dblclick();
    await page.waitForURL(/\?run=/);
    await result(page).waitFor();
    expect(stats().runs).toHaveLength(1);

    // The browser's "resubmit the form": the same fields posted again as a plain form post (no JavaScript).
    const resubmitted = await page.request.post(scenariosUrl(), {
      multipart: sameForm,
      headers: { origin: e2e.stack.app.url },
      maxRedirects: 0,
    });
    expect(resubmitted.status()).toBe(303);
    expect(resubmitted.headers().location).toContain(`run=${sameForm.requestKey}`);
    expect(stats().runs).toHaveLength(1);
    expect(runRequests()).toBe(1);
    expect(await e2e.stack.query(`SELECT count(*)::int AS n FROM "ScenarioRun"`)).toEqual([{ n: 1 }]);
  });

  it("starts at most a few runs a minute for one user, however many forms are posted", async () => {
    const page = await openScenarios();
    await grantRuns(page);
    const form = await page
      .locator('[data-run-form="9101"]')
      .evaluate((element) =>
        Object.fromEntries(new FormData(element as HTMLFormElement) as unknown as Iterable<[string, string]>),
      );
    const locations: string[] = [];
    for (let index = 0; index < 15; index++) {
      const posted = await page.request.post(scenariosUrl(), {
        multipart: { ...form, requestKey: crypto.randomUUID() },
        headers: { origin: e2e.stack.app.url },
        maxRedirects: 0,
      });
      locations.push(posted.headers().location ?? "");
    }
    expect(stats().runs).toHaveLength(10);
    expect(await e2e.stack.query(`SELECT count(*)::int AS n FROM "ScenarioRun"`)).toEqual([{ n: 10 }]);
    expect(locations.slice(10).every((location) => location.endsWith("run=too_many"))).toBe(true);
    await page.goto(
      locations.at(-1)!.startsWith("/") ? `${e2e.stack.app.url}${locations.at(-1)}` : locations.at(-1)!,
    );
    expect(await result(page).getAttribute("data-run-result")).toBe("too_many");
  });

  it("starts nothing for a form whose request key or scenario id is not one, and says so", async () => {
    const page = await openScenarios();
    await grantRuns(page);
    const tampered: Record<string, string>[] = [
      { requestKey: "not-a-key" },
      { scenarioId: "0" },
      { scenarioId: "9101.5" },
      { scenarioId: "" },
    ];
    for (const changes of tampered) {
      const location = await postRunForm(page, changes);
      expect(location).toBe(`${scenariosUrl()}?run=invalid`);
    }
    await page.goto(`${scenariosUrl()}?run=invalid`);
    expect(await result(page).getAttribute("data-run-result")).toBe("invalid");
    expect(await result(page).innerText()).toContain("nothing was started");
    expect(stats().runs).toEqual([]);
    expect(await e2e.stack.query(`SELECT count(*)::int AS n FROM "ScenarioRun"`)).toEqual([{ n: 0 }]);
  });

  it("shows Make's refusal of an inactive scenario in plain words and Make's", async () => {
    const page = await openScenarios();
    await grantRuns(page);
    // The scenario was switched off at Make after the page was drawn: its form posted all the same.
    await page.goto(await postRunForm(page, { scenarioId: "9005" }));
    await result(page).waitFor();
    expect(await result(page).getAttribute("data-run-result")).toBe("refused");
    expect(await result(page).innerText()).toContain("Turn it on at Make, then run it again.");
    expect(await result(page).innerText()).toContain("Scenario is not activated");
    expect(stats().runs).toEqual([]);
  });

  it("spends the budget of the scenario's own organization, whatever organization the form names", async () => {
    const page = await openScenarios();
    await grantRuns(page);
    e2e.stack.standIn.controls.configure({ apiBudgetByOrganization: { "5001": 1 } });
    await page.goto(await postRunForm(page, { scenarioId: "9101", organizationId: "5011" }));
    await result(page).waitFor();
    expect(await result(page).getAttribute("data-make-error")).toBe("rate_limited");
    const [run] = await e2e.stack.query<{ organizationId: number; zone: string }>(
      `SELECT "organizationId", "zone" FROM "ScenarioRun"`,
    );
    expect(run).toEqual({ organizationId: 5001, zone: e2e.stack.standIn.zones[0] });
    // Make's 429 marked 5001's window spent, in 5001's zone, and left 5011 alone.
    const spent = await e2e.stack.query<{ zone: string; organizationId: number; spent: number }>(
      `SELECT "zone", "organizationId", "spent" FROM "MakeApiBudget" ORDER BY "organizationId"`,
    );
    expect(spent.find((row) => row.organizationId === 5001)).toMatchObject({
      zone: e2e.stack.standIn.zones[0],
      spent: 1_000_000,
    });
    expect(spent.find((row) => row.organizationId === 5011)?.spent ?? 0).toBeLessThan(60);
  });

  it("shows a 403 in Make's words and does not retry it", async () => {
    const page = await openScenarios();
    await grantRuns(page);
    e2e.stack.standIn.controls.fail({ endpoint: "api", mode: "status", status: 403, times: 1 });
    await runButton(page, 9101).click();
    await page.waitForURL(/\?run=/);
    await result(page).waitFor();
    expect(await result(page).getAttribute("data-make-error")).toBe("forbidden");
    expect(await result(page).innerText()).toContain("Stand-in failure switch answered 403");
    expect(runRequests()).toBe(1);
    expect(stats().runs).toEqual([]);
  });

  it("one user reloading a running run cannot starve a colleague: B sees its scenarios, A is told to wait", async () => {
    const running = { executionOutcome: { status: "SUCCESS" as const, runningMs: 120_000 } };
    e2e.stack.standIn.controls.configure(running);
    const a = await openScenarios();
    await grantRuns(a);
    await runButton(a, 9101).click();
    await a.waitForURL(/\?run=/);
    const runUrl = a.url();
    expect(await a.locator("[data-run-status]").innerText()).toBe("RUNNING");

    // A new minute at Make and in the app, with the organization's limit as Make reports it: 6 calls.
    e2e.stack.standIn.controls.reset();
    e2e.stack.standIn.controls.configure({ ...running, apiBudgetByOrganization: { "5001": 6 } });
    await e2e.stack.query(`DELETE FROM "MakeApiBudget"`);
    await e2e.stack.query(`DELETE FROM "MakeApiBudgetShare"`);
    await e2e.stack.query(
      `INSERT INTO "MakeApiBudget" ("zone", "organizationId", "apiLimit") VALUES ($1, 5001, 6)`,
      [e2e.stack.standIn.zones[0]],
    );
    const hammering = (async () => {
      for (const until = Date.now() + 14_000; Date.now() < until;) {
        await a.goto(runUrl);
        await result(a).waitFor();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const b = await openScenarios("colleague-1");
    await hammering;

    expect(await b.locator('[data-organization="5001"] [data-scenario]').count()).toBeGreaterThan(0);
    expect(await b.locator("[data-make-error]").count()).toBe(0);
    const told = a.locator('[data-run-status-problem="rate_limited"]');
    expect(await told.innerText()).toMatch(/request limit for this organization was reached\. Try again in/);
    const rateLimited = stats().api.filter((call) => call.status === 429);
    expect(rateLimited).toEqual([]);
  });

  // Last: the app then leaves the organization alone for the minute Make's limit lasts.
  it("shows a spent request budget (429) in Make's words and does not retry it", async () => {
    const page = await openScenarios();
    await grantRuns(page);
    e2e.stack.standIn.controls.configure({ apiBudgetByOrganization: { "5001": 1 } });
    await runButton(page, 9101).click();
    await page.waitForURL(/\?run=/);
    await result(page).waitFor();
    expect(await result(page).getAttribute("data-make-error")).toBe("rate_limited");
    expect(await result(page).innerText()).toContain("Requests limit for organization exceeded");
    expect(runRequests()).toBe(1);
    expect(stats().runs).toEqual([]);
  });
});
