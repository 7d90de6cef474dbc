/**
 * Make's per-organization API budget in the database (lib/make/client/budget.ts): reservations for several
 * organizations in one statement, never more granted than the organization's limit however many callers
 * reserve at once (as several app servers would, each on its own connection), the limit Make reported
 * used once known, a new window once the old one has passed, and an organization whose budget is spent
 * asked about once per window, not once per page view.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadAppModules, type AppModules } from "../support/app-modules";
import { storeConnectedAccount } from "../support/connected-account";
import { discover, signInTokens } from "../support/make-code-flow";
import { testTuning } from "../support/test-tuning";

let app: AppModules;
let budget: typeof import("@/lib/make/client/budget");
let make: typeof import("@/lib/make");

beforeAll(async () => {
  app = await loadAppModules({ env: testTuning({ API_BUDGET_WINDOW_SECONDS: 1 }) });
  budget = await import("@/lib/make/client/budget");
  make = await import("@/lib/make");
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  await app.db.makeApiBudget.deleteMany();
  await app.db.makeApiBudgetShare.deleteMany();
});

const ZONE = "eu1.make.com";
const key = (organizationId: number, zone = ZONE) => ({ zone, organizationId });
const granted = (reserved: Map<string, { granted: number }>, organizationId: number, zone = ZONE) =>
  reserved.get(budget.budgetKeyOf(key(organizationId, zone)))?.granted;
const reserve = (userId: string, calls: Array<[number, number]>, zone = ZONE) =>
  budget.reserveCalls(
    userId,
    calls.map(([id, n]) => [key(id, zone), n] as const),
  );

describe("the API budget", () => {
  it("reserves for several organizations in one statement, a lone user up to half of 60 when Make has not said", async () => {
    const reserved = await reserve("a", [
      [1, 50],
      [2, 3],
    ]);
    expect(granted(reserved, 1)).toBe(30);
    expect(granted(reserved, 2)).toBe(3);
    const other = await reserve("b", [
      [1, 40],
      [2, 0],
    ]);
    expect(granted(other, 1)).toBe(30);
    expect(other.get(budget.budgetKeyOf(key(1)))!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(other.has(budget.budgetKeyOf(key(2)))).toBe(false);
  });

  it("grants exactly the limit to many users reserving at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) => reserve(`user-${index}`, [[7, 3]])),
    );
    expect(results.reduce((sum, result) => sum + (granted(result, 7) ?? 0), 0)).toBe(60);
  });

  it("gives no user more than a fair share while others wait: one hammering leaves the rest to the others", async () => {
    await budget.recordApiLimit(key(8), 12);
    let hammered = 0;
    for (let i = 0; i < 20; i += 1) hammered += granted(await reserve("a", [[8, 1]]), 8) ?? 0;
    expect(hammered).toBe(6);
    expect(granted(await reserve("b", [[8, 3]]), 8)).toBe(3);
    expect(granted(await reserve("c", [[8, 3]]), 8)).toBe(3);
    // Three users now: a's share (4) is spent, and so is the organization's window.
    expect(granted(await reserve("a", [[8, 1]]), 8)).toBe(0);
  });

  it("keys the budget by zone and organization id: the same id in another zone is another organization", async () => {
    await budget.recordApiLimit(key(10), 2);
    expect(granted(await reserve("a", [[10, 2]]), 10)).toBe(1);
    expect(granted(await reserve("b", [[10, 2]]), 10)).toBe(1);
    expect(granted(await reserve("a", [[10, 2]], "us1.make.com"), 10, "us1.make.com")).toBe(2);
  });

  it("uses the organization's license.apiLimit once Make reported it", async () => {
    await budget.recordApiLimit(key(9), 5);
    const reserved = await reserve("a", [[9, 8]]);
    expect(granted(reserved, 9)).toBe(3);
    expect(granted(await reserve("b", [[9, 8]]), 9)).toBe(2);
  });

  it("opens a new window once the old one has passed", async () => {
    await budget.recordApiLimit(key(11), 2);
    expect(granted(await reserve("a", [[11, 2]]), 11)).toBe(1);
    expect(granted(await reserve("b", [[11, 2]]), 11)).toBe(1);
    expect(granted(await reserve("c", [[11, 1]]), 11)).toBe(0);
    // The window (1 s here) plus the grace second.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(granted(await reserve("c", [[11, 1]]), 11)).toBe(1);
  });

  it("a 429 from Make spends the rest of that organization's window for everyone, and only that one's", async () => {
    expect(granted(await reserve("a", [[13, 1]]), 13)).toBe(1);
    const wait = await budget.exhaustBudget(key(13));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(granted(await reserve("b", [[13, 1]]), 13)).toBe(0);
    expect(granted(await reserve("b", [[14, 1]]), 14)).toBe(1);
    expect(granted(await reserve("b", [[13, 1]], "us1.make.com"), 13, "us1.make.com")).toBe(1);
  });

  it("runs at most four requests against one organization at once in a process", async () => {
    let running = 0;
    let most = 0;
    const work = () =>
      budget.withinInFlightCap(key(21), async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
      });
    await Promise.all([
      ...Array.from({ length: 12 }, work),
      budget.withinInFlightCap(key(22), async () => {}),
    ]);
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
    const zoned = organization as import("@/lib/make").ZonedOrganization;
    const organizationKey = key(zoned.id, zoned.zone);
    await budget.recordApiLimit(organizationKey, 2);
    await budget.reserveCalls("someone else", [[organizationKey, 1]]);
    await budget.reserveCalls(userId, [[organizationKey, 1]]);
    const spent = async () =>
      (
        await app.db.makeApiBudget.findUniqueOrThrow({
          where: { zone_organizationId: { zone: zoned.zone, organizationId: zoned.id } },
        })
      ).spent;
    // What a dashboard view does: a new client for the user, then the organization's reach.
    const view = async () => {
      const api = await make.MakeApi.forUser(userId);
      const known = make.makeProfile.knowsReach(api, zoned);
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
