/**
 * Building on the Make connection, end to end: organizations in two zones, the scenarios page asking each
 * zone for its own organization, granted scopes as Make reports them, "Grant access" for a missing one,
 * sign-in with a Make that ignores the nonce, and how the page answers Make's 401, 429 and error bodies.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { completeMakeLogin } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";

const e2e = useBrowserAndStack({ client: "confidential" });

beforeEach(async () => {
  // Each test starts from a fresh connection: earlier tests' consent choices stay out of it.
  await e2e.stack.query(`DELETE FROM "User"`);
});

/** Signs in as `login`; `untick` lists scopes to leave unticked on Make's consent page. */
async function signIn(options: { login?: string; untick?: string[] } = {}): Promise<Page> {
  const page = await e2e.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(e2e.stack.app.url);
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await page.waitForURL(/\/interaction\//);
  await page.fill('input[name="login"]', options.login ?? "ada");
  await page.fill('input[name="password"]', "password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const consent = page.getByRole("button", { name: "Allow" });
  const reachedConsent = await Promise.race([
    consent.waitFor().then(() => true),
    page.waitForURL(`${e2e.stack.app.url}/dashboard`).then(() => false),
  ]);
  if (reachedConsent) {
    for (const scope of options.untick ?? [])
      await page.locator(`input[name="scope"][value="${scope}"]`).uncheck();
    await consent.click();
  }
  await page.waitForURL(`${e2e.stack.app.url}/dashboard`);
  return page;
}

const apiCalls = () => e2e.stack.standIn.controls.stats().api;
const scenariosUrl = () => `${e2e.stack.app.url}/dashboard/scenarios`;

describe("organizations in two zones", () => {
  it("lists both organizations with their zones on the dashboard, and their scenarios from each zone", async () => {
    const [firstZone, secondZone] = e2e.stack.standIn.zones;
    const page = await signIn();
    const identity = await page.locator("main").innerText();
    expect(identity).toContain("Analytical Engines Ltd");
    expect(identity).toContain(`${firstZone}`);
    expect(identity).toContain("Difference Engine Inc.");
    expect(identity).toContain(`${secondZone}`);

    await page.getByRole("link", { name: /scenarios/i }).click();
    await page.waitForURL(scenariosUrl());
    const first = page.locator('[data-organization="5001"]');
    const second = page.locator('[data-organization="5011"]');
    await first.locator('[data-team="7002"]').waitFor();
    await second.locator('[data-team="7012"]').waitFor();
    expect(await first.getAttribute("data-zone")).toBe(firstZone);
    expect(await second.getAttribute("data-zone")).toBe(secondZone);
    // 60 scenarios in one team: more than one page of the API.
    expect(await first.locator('[data-team="7001"] [data-scenario]').count()).toBe(60);
    expect(await first.locator('[data-team="7002"] [data-scenario]').count()).toBe(3);
    expect(await second.locator('[data-team="7011"]').innerText()).toContain("Lab results to Sheets");
    expect(await second.locator('[data-team="7012"] [data-empty="scenarios"]').count()).toBe(1);

    const orgCalls = apiCalls().filter((call) => /organizationId=|teamId=/.test(call.query));
    const zoneOf = (query: string) =>
      /(?:organizationId=|teamId=)(50|70)(0|1)/.exec(query)?.[2] === "1" ? secondZone : firstZone;
    // Per organization: its teams, and its scenarios in one list (fewer calls than one list per team).
    expect(orgCalls.length).toBe(4);
    for (const call of orgCalls)
      expect({ query: call.query, zone: call.zone }).toEqual({ query: call.query, zone: zoneOf(call.query) });
    expect(orgCalls.every((call) => call.status === 200)).toBe(true);
    const scenarioLists = orgCalls.filter((call) => call.path.endsWith("/scenarios"));
    expect(scenarioLists.map((call) => new URLSearchParams(call.query).get("organizationId")).sort()).toEqual(
      ["5001", "5011"],
    );
    // Each organization's reach is asked once, in its own zone.
    const probes = apiCalls().filter((call) => /\/organizations\/50(01|11)$/.test(call.path));
    expect(probes.map((call) => call.zone).sort()).toEqual([firstZone, secondZone].sort());
  });

  it("streams each organization on its own: a slow zone shows its loading state while the other is done", async () => {
    const page = await signIn();
    e2e.stack.standIn.controls.configure({ zoneLatencyMs: { [e2e.stack.standIn.zones[1]!]: 4_000 } });
    const response = page.goto(scenariosUrl());
    const fastDone = page.locator('[data-organization="5001"] [data-team="7001"]');
    await fastDone.waitFor();
    expect(await page.locator('[data-organization="5011"] [data-loading="organization"]').count()).toBe(1);
    await response;
    await page.locator('[data-organization="5011"] [data-team="7011"]').waitFor();
  });
});

describe("granted scopes", () => {
  it("shows exactly the scopes granted; the scenarios page asks for the missing one and Grant access fixes it", async () => {
    // A user the stand-in has no grant for yet, so its consent page asks for every scope.
    const page = await signIn({ login: "sub-only", untick: ["scenarios:read"] });
    const scopes = (await page.locator('[data-status="scopes"]').innerText()).split(/\s+/).sort();
    expect(scopes).toEqual(["organizations:read", "teams:read", "user:read"]);

    await page.goto(scenariosUrl());
    const missing = page.locator("[data-missing-scopes]");
    expect(await missing.getAttribute("data-missing-scopes")).toBe("scenarios:read");
    expect(await missing.innerText()).toContain("scenarios:read");

    await page.getByRole("button", { name: "Grant access" }).click();
    await completeMakeLogin(page, { login: "sub-only" });
    await page.waitForURL((url) => url.href.startsWith(scenariosUrl()));
    await page.locator('[data-organization="5002"] [data-team="7021"] [data-empty="scenarios"]').waitFor();
    expect(await page.locator("[data-missing-scopes]").count()).toBe(0);
    expect(await e2e.stack.query(`SELECT count(*)::int AS n FROM "Account"`)).toEqual([{ n: 1 }]);

    await page.goto(`${e2e.stack.app.url}/dashboard`);
    expect(await page.locator('[data-status="scopes"]').innerText()).toContain("scenarios:read");
  });
});

/**
 * Posts the page's rendered Grant access form with some fields changed, as a tampered form would (changing
 * the field in the page races React's hydration, which sets it back); returns where the answer leads.
 */
async function postGrantForm(page: Page, changes: Record<string, string>): Promise<string> {
  const form = page.locator("form", { has: page.locator('input[name="returnTo"]') });
  const fields = await form.evaluate((element) =>
    Object.fromEntries(new FormData(element as HTMLFormElement) as unknown as Iterable<[string, string]>),
  );
  const posted = await page.request.post(page.url(), {
    multipart: { ...fields, ...changes },
    headers: { origin: e2e.stack.app.url },
    maxRedirects: 0,
  });
  expect(posted.status()).toBe(303);
  return new URL(posted.headers().location!, e2e.stack.app.url).href;
}

describe("what a request may make the app ask Make", () => {
  it("Grant access asks Make only for allowed scopes: a posted connections:write stays out of the authorization URL", async () => {
    const page = await signIn({ login: "mallory", untick: ["scenarios:read"] });
    await page.goto(scenariosUrl());
    expect(await page.locator('form input[name="scope"]').inputValue()).toBe("scenarios:read");
    const location = await postGrantForm(page, { scope: "scenarios:read connections:write" });
    expect(location).toContain("/oauth/v2/authorize");
    const scope = new URL(location).searchParams.get("scope")!.split(" ");
    expect(scope).toContain("scenarios:read");
    expect(scope).not.toContain("connections:write");
  });

  it("Grant access from a form whose way back leaves this site asks Make nothing", async () => {
    const page = await signIn({ login: "mallory", untick: ["scenarios:read"] });
    await page.goto(scenariosUrl());
    // The action answers with a way back here, not with a redirect to Make's authorization endpoint.
    const location = await postGrantForm(page, { returnTo: "https://elsewhere.example/" });
    expect(location).toBe(`${e2e.stack.app.url}/dashboard`);
  });

  it("costs Make at most one discovery request for 100 cookie-less callbacks", async () => {
    e2e.stack.standIn.controls.reset();
    for (let index = 0; index < 100; index++) {
      const response = await fetch(
        `${e2e.stack.app.url}/api/auth/callback/make?code=forged-${index}&state=forged-${index}`,
        { redirect: "manual" },
      );
      expect(response.status).toBe(302);
    }
    expect(e2e.stack.standIn.controls.stats().discovery).toBeLessThanOrEqual(1);
  });
});

describe("nonce", () => {
  it("signs in with the default configuration when Make ignores the nonce", async () => {
    e2e.stack.standIn.controls.configure({ ignoreNonce: true });
    const page = await signIn();
    expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
      "active",
    );
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1001");
  });
});

describe("Make's answers", () => {
  it("renews the token once on a 401 and retries the call once", async () => {
    const page = await signIn();
    const refreshesBefore = e2e.stack.standIn.controls.stats().grants.refresh_token;
    e2e.stack.standIn.controls.fail({ endpoint: "api", mode: "status", status: 401, times: 1 });
    await page.goto(scenariosUrl());
    await page.locator('[data-organization="5011"] [data-team="7011"]').waitFor();
    expect(e2e.stack.standIn.controls.stats().grants.refresh_token).toBe(refreshesBefore + 1);
    expect(await page.locator("[data-make-error]").count()).toBe(0);
  });

  it("asks the user to reconnect when Make still refuses after the renewal", async () => {
    const page = await signIn();
    const refreshesBefore = e2e.stack.standIn.controls.stats().grants.refresh_token;
    e2e.stack.standIn.controls.fail({ endpoint: "api", mode: "status", status: 401 });
    await page.goto(scenariosUrl());
    // Each organization's card says so; both share the one renewal.
    const problem = page.locator('[data-make-error="reauth_required"]');
    await problem.first().waitFor();
    expect(await problem.count()).toBe(2);
    expect(await problem.first().innerText()).toContain("Reconnect");
    expect(e2e.stack.standIn.controls.stats().grants.refresh_token).toBe(refreshesBefore + 1);
  });

  it("explains Make's request limit with Make's own words, and does not retry into it", async () => {
    const page = await signIn();
    e2e.stack.standIn.controls.configure({ apiBudget: 1, apiBudgetWindowSeconds: 60 });
    await page.goto(scenariosUrl());
    const limited = page.locator('[data-organization="5001"] [data-make-error="rate_limited"]');
    await limited.waitFor();
    const text = await limited.innerText();
    expect(text).toMatch(/request limit for this organization was reached\. Try again in \d+ seconds/);
    expect(text).toContain("Requests limit for organization exceeded");
    const answered = apiCalls().filter(
      (call) =>
        call.query.includes("organizationId=5001") ||
        /teamId=700[12]/.test(call.query) ||
        call.path.endsWith("/organizations/5001"),
    );
    const refused = answered.filter((call) => call.status === 429);
    // One request within the budget, then at most one answered 429 per call that needed the organization.
    expect(answered.length - refused.length).toBe(1);
    expect(refused.length).toBeLessThanOrEqual(2);

    // A reload inside Make's window does not ask the organization again.
    const before = apiCalls().length;
    await page.reload();
    await limited.waitFor();
    expect(
      apiCalls()
        .slice(before)
        .filter((call) => /organizationId=5001|teamId=700[12]/.test(call.query)),
    ).toEqual([]);
  });
});
