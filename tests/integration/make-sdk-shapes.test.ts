/**
 * The app against Make's answers in the shapes Make's own SDK tests use (the stand-in's `answerShapes:
 * "sdk-samples"`) and the list answers Make may give: an organization listed without its zone, a
 * scheduling without a type, scenarios in teams the team list does not show, an avatar that is not a URL,
 * a page cut short by Make's own limit, a sort Make ignored, a refusal remembered, an unreadable answer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { discover, signInTokens } from "../support/make-code-flow";
import { storeConnectedAccount } from "../support/connected-account";
import { loadAppModules, type AppModules } from "../support/app-modules";

let app: AppModules;
let make: typeof import("@/lib/make");
let scenarios: typeof import("@/app/(dashboard)/dashboard/scenarios/data");
let userId: string;

const ALL = "openid user:read organizations:read teams:read scenarios:read";

const forUser = () => make.MakeApi.forUser(userId);
const apiCalls = () => app.standIn.controls.stats().api;
const configure = (patch: Parameters<AppModules["standIn"]["controls"]["configure"]>[0]) =>
  app.standIn.controls.configure(patch);

beforeAll(async () => {
  app = await loadAppModules();
  make = await import("@/lib/make");
  scenarios = await import("@/app/(dashboard)/dashboard/scenarios/data");
});
afterAll(() => app?.close());
beforeEach(async () => {
  app.standIn.controls.reset();
  await app.db.user.deleteMany();
  await app.db.makeApiBudget.deleteMany();
  const tokens = await signInTokens(await discover(app.standIn), { client: "confidential", scope: ALL });
  // A new token per test: the profile cache is keyed by it, so nothing is served from an earlier test.
  userId = await storeConnectedAccount(app.db, tokens, Math.floor(Date.now() / 1000) + 3600);
});

const zoned = async () => {
  const organizations = (await make.makeProfile.organizations(await forUser())) ?? [];
  return organizations.find(
    (organization) => organization.id === 5001,
  ) as import("@/lib/make").ZonedOrganization;
};

describe("Make's answers in the SDK's sample shapes", () => {
  it("resolves an organization listed without its zone from GET /organizations/{id}, or says it is unknown", async () => {
    configure({ answerShapes: "sdk-samples" });
    const organizations = await make.listOrganizations(await forUser());
    // Organization 5001 lives in the default zone, which answers for it; 5011 lives elsewhere.
    expect(organizations).toEqual([
      { id: 5001, name: "New organization", zone: app.standIn.zones[0] },
      { id: 5011, name: "New organization", zone: null },
    ]);
    const detailCalls = apiCalls().filter((call) => /^\/api\/v2\/organizations\/\d+$/.test(call.path));
    expect(detailCalls.map((call) => call.zone)).toEqual([app.standIn.zones[0], app.standIn.zones[0]]);
    const reach = await make.makeProfile.reach(await forUser(), organizations);
    expect(reach.map((entry) => entry.reach)).toEqual(["reachable", "zone_unknown"]);
  });

  it("lists scenarios of teams the team list does not show under their team id, and reads a scheduling without a type", async () => {
    configure({ answerShapes: "sdk-samples" });
    const api = await forUser();
    const teams = await scenarios.scenarioData.organizationScenarios(api, await zoned());
    expect(
      teams.map(({ team, items }) => [team.id, team.name, !!team.unlisted, items.map((s) => s.id)]),
    ).toEqual([
      [7001, "My Team", false, []],
      [18, "Team 18", true, [418339, 418340]],
      [19, "Team 19", true, [723615]],
    ]);
    const withoutType = teams[1]!.items.find((scenario) => scenario.id === 418340)!;
    expect(withoutType.scheduling?.type).toBeUndefined();
    expect(teams[2]!.items[0]!.scheduling?.type).toBe("on-demand");
  });

  it("falls back to the userinfo picture when /users/me's avatar is not a URL, and to none without one", async () => {
    configure({ answerShapes: "sdk-samples", userinfoProfile: true });
    const { claims } = await make.makeProfile.profile(await forUser());
    expect(claims.name).toBe("Awesome Maker");
    expect(claims.picture).toMatch(/^http:\/\/localhost:\d+\/avatars\/ada\.svg$/);

    configure({ userinfoProfile: false });
    const tokens = await signInTokens(await discover(app.standIn), { client: "confidential", scope: ALL });
    await app.db.user.deleteMany();
    userId = await storeConnectedAccount(app.db, tokens, Math.floor(Date.now() / 1000) + 3600);
    expect((await make.makeProfile.profile(await forUser())).claims.picture).toBeUndefined();
  });

  it("does not take a page Make cut to its own limit for the last one", async () => {
    configure({ maxPageLimit: 10 });
    const list = await make.listScenarios(await forUser(), await zoned());
    // 5001's teams hold 63 scenarios: a full page of 10 means ask again.
    expect(list.items).toHaveLength(63);
    expect(list.capped).toBe(false);
    const scenarioCalls = apiCalls().filter((call) => call.path === "/api/v2/scenarios");
    expect(scenarioCalls).toHaveLength(7);
  });

  it("says a capped list is capped when Make cuts its pages short", async () => {
    configure({ maxPageLimit: 10 });
    const list = await make.listScenarios(await forUser(), await zoned(), 25);
    expect(list.items).toHaveLength(25);
    expect(list.capped).toBe(true);
  });

  it("checks the order Make answered in: a sort Make ignored is done here", async () => {
    configure({ ignoreSortBy: true });
    const list = await make.listScenarios(await forUser(), await zoned());
    const edits = list.items.map((scenario) => scenario.lastEdit ?? "");
    expect(edits).toEqual([...edits].sort().reverse());
    expect(list.order).toBe("lastEdit");
  });

  it("does not call a capped list the newest edits when Make ignored the sort", async () => {
    configure({ ignoreSortBy: true });
    const list = await make.listScenarios(await forUser(), await zoned(), 20);
    expect(list.capped).toBe(true);
    expect(list.order).toBe("make");
  });

  it("remembers a refusal for the cache's lifetime: reloads do not ask again", async () => {
    const organization = await zoned();
    app.standIn.controls.fail({ endpoint: "api", mode: "status", status: 403, times: 1 });
    const view = async () =>
      scenarios.scenarioData.organizationScenarios(await forUser(), organization).then(
        () => "listed",
        (error: unknown) => (error as InstanceType<typeof make.MakeApiError>).kind,
      );
    expect(await view()).toBe("forbidden");
    const asked = apiCalls().length;
    for (let i = 0; i < 9; i += 1) expect(await view()).toBe("forbidden");
    expect(apiCalls().length).toBe(asked);
  });

  it("asks Make about a running execution at most every few seconds, and about a finished one no more", async () => {
    await app.db.user.deleteMany();
    const tokens = await signInTokens(await discover(app.standIn), {
      client: "confidential",
      scope: `${ALL} scenarios:run`,
    });
    userId = await storeConnectedAccount(app.db, tokens, Math.floor(Date.now() / 1000) + 3600);
    configure({ executionOutcome: { status: "SUCCESS", runningMs: 4_000 } });
    const organization = await zoned();
    const { executionId } = await make.runScenario(await forUser(), organization, 9101);
    const asked = () => apiCalls().filter((call) => call.path.includes("/executions/")).length;
    const status = async () =>
      (await scenarios.scenarioData.execution(await forUser(), organization, 9101, executionId)).status;

    for (let i = 0; i < 10; i += 1) expect(await status()).toBe("RUNNING");
    expect(asked()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 4_200));
    expect(await status()).toBe("SUCCESS");
    for (let i = 0; i < 10; i += 1) expect(await status()).toBe("SUCCESS");
    expect(asked()).toBe(2);
    // A run is asked about only in an organization the user belongs to now, in the zone it was run in.
    const api = await forUser();
    expect(await scenarios.scenarioData.currentOrganization(api, 5001, organization.zone)).toEqual(
      organization,
    );
    expect(await scenarios.scenarioData.currentOrganization(api, 5001, "eu1.make.com")).toBeUndefined();
    expect(await scenarios.scenarioData.currentOrganization(api, 5999, organization.zone)).toBeUndefined();
  });

  it("turns an answer it cannot read into a typed error a page words, not a crash", async () => {
    // A client whose answers are not Make's shapes: a list without its items, an execution without a status.
    const answering = (body: unknown) =>
      ({ call: async () => body }) as unknown as import("@/lib/make").MakeApi;
    const organization = await zoned();
    const failures = await Promise.all([
      make.listOrganizations(answering({ organization: [] })).catch((error: unknown) => error),
      make.executionStatus(answering({ outputs: {} }), organization, 1, "x").catch((error: unknown) => error),
      make
        .listScenarios(answering({ scenarios: [{ id: "9" }] }), organization)
        .catch((error: unknown) => error),
    ]);
    for (const error of failures) {
      const problem = make.describeMakeProblem(error);
      expect(problem.kind).toBe("unexpected_answer");
      expect(problem.message).toMatch(/^Make answered GET \/\S+ in a form this app cannot read/);
    }
  });
});
