/**
 * The app against Make as Make documents it, and against each undocumented answer the stand-in can give:
 * sign-in on the id_token alone with the profile from GET /users/me, Grant access only when it can help,
 * a consent bound to one organization, a zone that refuses the token, a list that refuses `pg[sortBy]`,
 * personal spaces, and five colleagues sharing one Core-plan organization's API budget.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useBrowserAndStack } from "../support/browser-stack";
import { testTuning } from "../support/test-tuning";

const BUDGET_WINDOW_SECONDS = 20;
const e2e = useBrowserAndStack({
  client: "confidential",
  env: testTuning({ API_BUDGET_WINDOW_SECONDS: BUDGET_WINDOW_SECONDS }),
});

beforeEach(async () => {
  await e2e.stack.query(`DELETE FROM "User"`);
  await e2e.stack.query(`DELETE FROM "MakeApiBudget"`);
});

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

const stats = () => e2e.stack.standIn.controls.stats();
const scenariosUrl = () => `${e2e.stack.app.url}/dashboard/scenarios`;
const state = (page: Page) => page.locator("[data-connection-state]").getAttribute("data-connection-state");

describe("sign-in and the profile", () => {
  it("signs in although userinfo fails, and shows the profile from GET /users/me", async () => {
    e2e.stack.standIn.controls.fail({ endpoint: "userinfo", mode: "status", status: 500 });
    const page = await signIn();
    expect(await state(page)).toBe("active");
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1001");
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");
    expect(await page.locator('[data-claim="email"]').innerText()).toBe("ada@example.com");
    expect(await page.locator("section img").first().getAttribute("src")).toMatch(/\/avatars\/ada\.svg$/);
    // Userinfo's failure is on the identity card, not on the sign-in.
    expect(await page.locator("[data-profile-unavailable]").innerText()).toContain("userinfo");
  });

  it("says on the identity card when GET /users/me is refused, and the connection works", async () => {
    const page = await signIn({ login: "colleague-1", untick: ["user:read"] });
    expect(await state(page)).toBe("active");
    expect(await page.locator('[data-claim="sub"]').innerText()).toBe("1011");
    expect(await page.locator('[data-claim="name"]').count()).toBe(0);
    const problem = await page.locator("[data-profile-unavailable]").innerText();
    expect(problem).toContain("“user:read” permission");
    expect(problem).toContain("You are signed in all the same.");
    expect(await page.locator("main").innerText()).toContain("Analytical Engines Ltd");
  });
});

describe("Grant access", () => {
  it("that comes back still without the scope says so and does not offer itself again", async () => {
    const page = await signIn({ login: "sub-only", untick: ["scenarios:read"] });
    await page.goto(scenariosUrl());
    await page.getByRole("button", { name: "Grant access" }).click();
    // Make's consent page again: the user leaves the scope unticked once more.
    await page.waitForURL(/\/interaction\//);
    if (await page.locator('input[name="login"]').count()) {
      await page.fill('input[name="login"]', "sub-only");
      await page.fill('input[name="password"]', "password");
      await page.getByRole("button", { name: "Sign in" }).click();
    }
    await page.locator('input[name="scope"][value="scenarios:read"]').uncheck();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((url) => url.href.startsWith(scenariosUrl()));
    const refused = page.locator("[data-grant-refused]");
    expect(await refused.getAttribute("data-grant-refused")).toBe("scenarios:read");
    expect(await refused.innerText()).toContain("not among the scopes registered for this app");
    expect(await page.getByRole("button", { name: "Grant access" }).count()).toBe(0);
  });
});

describe("a consent bound to one organization", () => {
  it("says which organizations the connection cannot reach, offers no Grant access, and lists the rest", async () => {
    e2e.stack.standIn.controls.configure({ organizationBoundConsent: true });
    const page = await signIn();
    // The dashboard names the organization out of reach.
    await page.locator('[data-organization-reach="forbidden"]').waitFor();
    expect(await page.locator('[data-organization-reach="forbidden"]').innerText()).toContain(
      "Difference Engine Inc.",
    );
    expect(await page.locator('[data-organization-reach="reachable"]').innerText()).toContain(
      "Analytical Engines Ltd",
    );

    await page.goto(scenariosUrl());
    await page.locator('[data-organization="5001"] [data-team="7001"]').waitFor();
    const unreachable = page.locator("[data-unreachable-organizations]");
    expect(await unreachable.getAttribute("data-unreachable-organizations")).toBe("5011");
    const words = await unreachable.innerText();
    expect(words).toContain("Difference Engine Inc.");
    expect(words).toContain("Ask the organization's admin");
    expect(words).toContain("Access denied.");
    expect(await page.getByRole("button", { name: "Grant access" }).count()).toBe(0);
    expect(await page.locator('[data-organization="5011"]').count()).toBe(0);
  });
});

describe("a zone that refuses the token", () => {
  it("marks that zone's organization unreachable and keeps the connection", async () => {
    const page = await signIn();
    const refreshes = stats().grants.refresh_token;
    e2e.stack.standIn.controls.configure({ rejectingZones: [e2e.stack.standIn.zones[1]!] });
    // A new token, so nothing cached from before the switch is shown.
    await e2e.stack.query(`UPDATE "Account" SET expires_at = $1`, [Math.floor(Date.now() / 1000) + 5]);
    await page.goto(scenariosUrl());
    await page.locator('[data-organization="5001"] [data-team="7001"]').waitFor();
    const unreachable = page.locator("[data-unreachable-organizations]");
    expect(await unreachable.getAttribute("data-unreachable-organizations")).toBe("5011");
    expect(await unreachable.innerText()).toContain(
      `zone ${e2e.stack.standIn.zones[1]} does not accept this connection`,
    );
    await page.goto(`${e2e.stack.app.url}/dashboard`);
    expect(await state(page)).toBe("active");
    expect(await page.locator('[data-organization-reach="zone_refused"]').count()).toBe(1);
    // The renewal was the expiry's; the zone's 401 cost no further one.
    expect(stats().grants.refresh_token).toBe(refreshes + 1);
  });
});

describe("lists", () => {
  it("lists personal spaces", async () => {
    const page = await signIn();
    await page.goto(scenariosUrl());
    const space = page.locator('[data-organization="5001"] [data-team="7008"]');
    await space.waitFor();
    expect(await space.innerText()).toContain("Ada's space");
    const teamCalls = stats().api.filter((call) => call.path.endsWith("/teams"));
    expect(teamCalls.every((call) => call.query.includes("includePrivateSpaces=true"))).toBe(true);
  });

  // Last in this file: the app stops sending a `pg[sortBy]` Make refused, for the rest of its life.
  it("asks once more without a refused pg[sortBy] and sorts the scenarios itself", async () => {
    e2e.stack.standIn.controls.configure({ strictSortBy: true });
    const page = await signIn();
    await page.goto(scenariosUrl());
    const team = page.locator('[data-organization="5001"] [data-team="7001"]');
    await team.waitFor();
    expect(await page.locator("[data-make-error]").count()).toBe(0);
    const names = await team.locator("[data-scenario]").allInnerTexts();
    expect(names).toHaveLength(60);
    // Newest edit first (batch 1 is the newest), not Make's default order by name (batch 1, batch 10, …).
    expect(names[1]).toContain("Sync orders batch 2");
    const lists = stats().api.filter((call) => call.path.endsWith("/scenarios"));
    const refused = lists.filter((call) => call.status === 400);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((call) => call.query.includes("sortBy"))).toBe(true);
    expect(lists.filter((call) => call.status === 200).every((call) => !call.query.includes("sortBy"))).toBe(
      true,
    );
  });
});

describe("five colleagues on one Core-plan organization", () => {
  const logins = ["ada", "colleague-1", "colleague-2", "colleague-3", "colleague-4"];
  const organizationCalls = () =>
    stats().api.filter((call) =>
      /organizationId=5001|teamId=700|\/organizations\/5001$/.test(call.path + call.query),
    );

  it("reload the scenarios page past the budget window: nobody sees a 429", async () => {
    const pages: Page[] = [];
    for (const login of logins) pages.push(await signIn({ login }));
    const until = Date.now() + (BUDGET_WINDOW_SECONDS + 5) * 1000;
    let views = 0;
    await Promise.all(
      pages.map(async (page) => {
        while (Date.now() < until) {
          await page.goto(scenariosUrl());
          await page.locator('[data-organization="5001"] [data-team="7002"]').waitFor();
          expect(await page.locator("[data-make-error]").count()).toBe(0);
          views += 1;
        }
      }),
    );
    expect(views).toBeGreaterThan(20);
    const calls = organizationCalls();
    expect(calls.filter((call) => call.status === 429)).toEqual([]);
    // Per user and token: one reach check, the teams and one scenario list; reloads are served from the cache.
    expect(calls.length).toBeLessThanOrEqual(logins.length * 3);
  });

  it("a colleague who reaches the limit sees when to try again, and Make is not asked past it", async () => {
    e2e.stack.standIn.controls.configure({ apiBudget: 7, apiBudgetWindowSeconds: BUDGET_WINDOW_SECONDS });
    const pages: Page[] = [];
    for (const login of logins.slice(0, 3)) {
      const page = await signIn({ login });
      await page.goto(scenariosUrl());
      pages.push(page);
    }
    const last = pages[2]!;
    const limited = last.locator('[data-organization="5001"] [data-make-error="rate_limited"]');
    await limited.waitFor();
    expect(await limited.innerText()).toMatch(/Try again in \d+ seconds/);
    for (const page of pages.slice(0, 2))
      expect(await page.locator('[data-organization="5001"] [data-team="7002"]').count()).toBe(1);
    expect(organizationCalls().filter((call) => call.status === 429)).toEqual([]);
  });
});
