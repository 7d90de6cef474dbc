/**
 * The stand-in's Make REST API as Make documents it, driven through Make's own client (`@makehq/sdk`) where
 * it has a method: the profile, organizations with their zone and api limit, lists and their `pg`, the
 * per-organization budget, the scopes enum, scenario runs and their executions, and the 501 that names
 * where to add an endpoint.
 */
import { Make, type MakeError } from "@makehq/sdk";
import type * as oauth from "oauth4webapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMakeStandIn, type MakeStandIn } from "../../make-stand-in/server";
import { discover, signInTokens } from "../support/make-code-flow";

const ALL = "openid user:read organizations:read teams:read scenarios:read scenarios:run";

let standIn: MakeStandIn;
let as: oauth.AuthorizationServer;
let token: string;

beforeAll(async () => {
  standIn = await startMakeStandIn({ port: 0, quiet: true });
  as = await discover(standIn);
  token = (await signInTokens(as, { client: "confidential", scope: ALL })).access_token;
});
afterAll(async () => {
  await standIn?.close();
});
beforeEach(() => {
  standIn.controls.reset();
});

/** Make's SDK pointed at one of the stand-in's zones (served over http). */
function make(slot: 0 | 1, accessToken = token): Make {
  const client = new Make(accessToken, standIn.zones[slot]!);
  client.protocol = "http";
  return client;
}

const get = (origin: string, path: string, accessToken = token) =>
  fetch(`${origin}/api/v2${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
const inZone = (slot: 0 | 1, path: string, accessToken = token) =>
  get(`http://${standIn.zones[slot]}`, path, accessToken);
const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as MakeError,
  );

describe("profile", () => {
  it("answers users.me() with the whole profile (name, email, avatar, timezone, locale)", async () => {
    expect(await make(0).users.me()).toMatchObject({
      id: 1001,
      name: "Ada Lovelace",
      email: "ada@example.com",
      avatar: `${standIn.issuer}/avatars/ada.svg`,
      timezone: "Europe/Prague",
      locale: "en",
      language: "en",
    });
  });
});

describe("organizations", () => {
  it("lists `zone` only when asked for with cols[]", async () => {
    expect(await make(0).organizations.list()).toEqual([
      { id: 5001, name: "Analytical Engines Ltd", countryId: 1, timezoneId: 113 },
      { id: 5011, name: "Difference Engine Inc.", countryId: 2, timezoneId: 42 },
    ]);
    expect(await make(1).organizations.list({ cols: ["id", "zone"] })).toEqual([
      { id: 5001, zone: standIn.zones[0] },
      { id: 5011, zone: standIn.zones[1] },
    ]);
  });

  it("reports the per-organization api limit as license.apiLimit: 60 by default, or as configured", async () => {
    expect((await make(0).organizations.get(5001)).license.apiLimit).toBe(60);
    standIn.controls.configure({ apiBudgetByOrganization: { "5011": 240 } });
    expect((await make(1).organizations.get(5011)).license.apiLimit).toBe(240);
    expect((await failure(make(0).organizations.get(5011)))?.statusCode).toBe(400);
  });
});

describe("lists", () => {
  it("echo the whole pg object", async () => {
    const body = await json(
      await inZone(
        0,
        "/teams?organizationId=5001&pg[offset]=1&pg[limit]=1&pg[sortBy]=name&pg[sortDir]=desc&pg[returnTotalCount]=true",
      ),
    );
    expect(body).toEqual({
      teams: [{ id: 7001, name: "Engineering", organizationId: 5001 }],
      pg: { offset: 1, limit: 1, sortBy: "name", sortDir: "desc", returnTotalCount: "true" },
    });
  });

  it("list personal teams (spaces) only with includePrivateSpaces=true", async () => {
    const standard = await make(0).teams.list(5001);
    expect(standard.map((team) => team.name)).toEqual(["Engineering", "Operations"]);
    const withSpaces = await make(0).teams.list(5001, { includePrivateSpaces: true });
    expect(withSpaces).toContainEqual({
      id: 7008,
      name: "Ada's space",
      organizationId: 5001,
      type: "personal",
    });
    expect(withSpaces).toHaveLength(3);
  });

  it("answer 400 for /scenarios with both teamId and organizationId", async () => {
    const res = await inZone(0, "/scenarios?teamId=7001&organizationId=5001");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "IM002", detail: expect.stringContaining("teamId") });
  });

  it("sort by any field by default; with `strictSortBy` only name and id, anything else a 400", async () => {
    expect((await inZone(0, "/scenarios?teamId=7002&pg[sortBy]=lastEdit")).status).toBe(200);
    standIn.controls.configure({ strictSortBy: true });
    const refused = await inZone(0, "/scenarios?teamId=7002&pg[sortBy]=lastEdit");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ detail: "pg[sortBy] must be one of: name, id" });
    const byId = await json(await inZone(0, "/scenarios?teamId=7002&pg[sortBy]=id&pg[sortDir]=desc"));
    expect((byId.scenarios as Array<{ id: number }>).map(({ id }) => id)).toEqual([9102, 9101, 9100]);
  });
});

describe("request budget", () => {
  it("allows 60 calls a minute about an organization, counted across the origins that serve its zone", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await inZone(0, "/teams?organizationId=5001")).status);
    for (let i = 0; i < 30; i++)
      statuses.push((await get(standIn.issuer, "/teams?organizationId=5001")).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const limited = await inZone(0, "/organizations/5001");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeNull();
    expect(await limited.json()).toMatchObject({
      detail: "Requests limit for organization exceeded, please try again later.",
    });
    // Calls not about an organization, and about another one, are not limited by it.
    expect((await inZone(0, "/users/me")).status).toBe(200);
    expect((await inZone(1, "/teams?organizationId=5011")).status).toBe(200);
  });
});

describe("scopes enum", () => {
  it("lists the API scopes at Make's spelling, /enums/user-api-tokes-scopes, and the corrected one", async () => {
    for (const path of ["/enums/user-api-tokes-scopes", "/enums/user-api-token-scopes"]) {
      const body = await json(await inZone(0, path));
      expect(body.userApiTokenScopes).toEqual(
        expect.arrayContaining([{ name: "user:read" }, { name: "scenarios:run" }]),
      );
      expect(body.userApiTokenScopes).not.toContainEqual({ name: "openid" });
    }
  });
});

describe("scenario runs", () => {
  it("runs an active scenario, records the run, and reports its execution on the SDK's paths", async () => {
    const run = await make(0).scenarios.run(9101, { orderId: 42 });
    expect(run).toEqual({ executionId: expect.stringMatching(/^[0-9a-f]{32}$/), status: 1, outputs: {} });
    expect(standIn.controls.stats().runs).toEqual([
      expect.objectContaining({ scenarioId: 9101, executionId: run.executionId, data: { orderId: 42 } }),
    ]);
    expect(await make(0).executions.getDetail(9101, run.executionId)).toEqual({
      status: "SUCCESS",
      outputs: {},
    });
    expect(await make(0).executions.get(9101, run.executionId)).toMatchObject({
      id: run.executionId,
      status: 1,
      teamId: 7002,
      organizationId: 5001,
    });
    expect((await failure(make(0).executions.getDetail(9100, run.executionId)))?.statusCode).toBe(404);
  });

  it("answers a non-responsive run with a statusUrl that answers the execution's status", async () => {
    const run = await make(0).scenarios.run(9101, {}, { responsive: false });
    const { statusUrl } = run as typeof run & { statusUrl: string };
    expect(statusUrl).toBe(`http://${standIn.zones[0]}/api/v2/scenarios/9101/executions/${run.executionId}`);
    expect(await json(await fetch(statusUrl, { headers: { authorization: `Bearer ${token}` } }))).toEqual({
      status: "SUCCESS",
      outputs: {},
    });
  });

  it("refuses inactive and invalid scenarios with 400, and a token without scenarios:run with 403; none is recorded", async () => {
    const inactive = await failure(make(0).scenarios.run(9102));
    expect(inactive).toMatchObject({ statusCode: 400, message: expect.stringContaining("not activated") });
    expect((await failure(make(0).scenarios.run(9004)))?.statusCode).toBe(400);
    const narrow = await signInTokens(as, { client: "confidential", scope: "openid scenarios:read" });
    expect((await failure(make(0, narrow.access_token).scenarios.run(9101)))?.statusCode).toBe(403);
    expect(standIn.controls.stats().runs).toEqual([]);
  });
});

describe("an endpoint the stand-in lacks", () => {
  it("answers 501 naming the file and the table to add it to", async () => {
    const res = await inZone(0, "/xyz");
    expect(res.status).toBe(501);
    expect(await res.json()).toEqual({
      detail:
        "The local Make stand-in does not implement GET /api/v2/xyz. " +
        "Add it to the route table in make-stand-in/make-api.ts (see docs/extending.md).",
      message: "Not implemented",
      code: "SC501",
    });
    const post = await fetch(`http://${standIn.zones[0]}/api/v2/users/me`, { method: "POST" });
    expect(post.status).toBe(501);
  });
});
