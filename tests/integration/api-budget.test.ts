/**
 * Make's per-organization API budget in the database (lib/make/budget.ts): reservations for several
 * organizations in one statement, never more granted than the organization's limit however many callers
 * reserve at once (as several app servers would, each on its own connection), the limit Make reported
 * used once known, a new window once the old one has passed, and an organization whose budget is spent
 * asked about once per window, not once per page view.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadAppModules, type AppModules } from "../support/app-modules";
import { storeConnectedAccount } from "../support/connected-account";
import { discover, signInTokens } from "../support/make-code-flow";

let app: AppModules;
let budget: typeof import("@/lib/make/budget");
let make: typeof import("@/lib/make");

beforeAll(async () => {
  app = await loadAppModules({ env: { MAKE_API_BUDGET_WINDOW_SECONDS: "1" } });
  budget = await import("@/lib/make/budget");
  make = await import("@/lib/make");
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  await app.db.makeApiBudget.deleteMany();
});

const granted = (reserved: Map<number, { granted: number }>, id: number) => reserved.get(id)?.granted;

describe("the API budget", () => {
  it("reserves for several organizations in one statement, up to 60 each when Make has not said", async () => {
    const reserved = await budget.reserveCalls(
      new Map([
        [1, 50],
        [2, 3],
      ]),
    );
    expect(granted(reserved, 1)).toBe(50);
    expect(granted(reserved, 2)).toBe(3);
    const more = await budget.reserveCalls(
      new Map([
        [1, 20],
        [2, 0],
      ]),
    );
    expect(granted(more, 1)).toBe(10);
    expect(more.get(1)!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(more.has(2)).toBe(false);
  });

  it("grants exactly the limit to many callers reserving at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => budget.reserveCalls(new Map([[7, 3]]))),
    );
    expect(results.reduce((sum, result) => sum + (granted(result, 7) ?? 0), 0)).toBe(60);
  });

  it("uses the organization's license.apiLimit once Make reported it", async () => {
    await budget.recordApiLimit(9, 5);
    const reserved = await budget.reserveCalls(new Map([[9, 8]]));
    expect(granted(reserved, 9)).toBe(5);
  });

  it("opens a new window once the old one has passed", async () => {
    await budget.recordApiLimit(11, 2);
    expect(granted(await budget.reserveCalls(new Map([[11, 2]])), 11)).toBe(2);
    expect(granted(await budget.reserveCalls(new Map([[11, 1]])), 11)).toBe(0);
    // The window (1 s here) plus the grace second.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(granted(await budget.reserveCalls(new Map([[11, 1]])), 11)).toBe(1);
  });

  it("a 429 from Make spends the rest of the window for everyone", async () => {
    expect(granted(await budget.reserveCalls(new Map([[13, 1]])), 13)).toBe(1);
    const wait = await budget.exhaustBudget(13);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(granted(await budget.reserveCalls(new Map([[13, 1]])), 13)).toBe(0);
  });

  it("runs at most four requests against one organization at once in a process", async () => {
    let running = 0;
    let most = 0;
    const work = () =>
      budget.withinInFlightCap(21, async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
      });
    await Promise.all([...Array.from({ length: 12 }, work), budget.withinInFlightCap(22, async () => {})]);
    expect(most).toBe(budget.MAX_IN_FLIGHT_PER_ORGANIZATION);
    expect(running).toBe(0);
  });

  it("an organization whose budget is spent is asked about once per window, not on every view", async () => {
    const tokens = await signInTokens(await discover(app.standIn), {
      client: "confidential",
      scope: "openid user:read organizations:read",
    });
    const userId = await storeConnectedAccount(app.db, tokens, Math.floor(Date.now() / 1000) + 3600);
    const [organization] = await make.listOrganizations(await make.MakeApi.forUser(userId));
    await budget.recordApiLimit(organization!.id, 1);
    await budget.reserveCalls(new Map([[organization!.id, 1]]));
    const spent = async () =>
      (await app.db.makeApiBudget.findUniqueOrThrow({ where: { organizationId: organization!.id } })).spent;
    // What a dashboard view does: a new client for the user, then the organization's reach.
    const view = async () => {
      const api = await make.MakeApi.forUser(userId);
      const known = make.makeProfile.knowsReach(api, organization!);
      const [reach] = await make.makeProfile.reach(api, [organization!]);
      return { known, reach: reach!.reach };
    };

    expect(await view()).toEqual({ known: false, reach: "unknown" });
    const afterFirst = await spent();
    expect(await view()).toEqual({ known: true, reach: "unknown" });
    expect(await view()).toEqual({ known: true, reach: "unknown" });
    expect(await spent()).toBe(afterFirst);

    // The window (1 s here) plus the grace second: then Make is asked again.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(await view()).toEqual({ known: false, reach: "reachable" });
    await app.db.user.deleteMany();
  });
});
