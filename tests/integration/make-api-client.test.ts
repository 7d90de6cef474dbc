/**
 * The Make API client (lib/make/client/api.ts) against the local stand-in: the zone each call goes to, one
 * renewal and one retry on a 401, a bounded retry on a 429, Make's error body on the typed error, and a
 * timeout on every request.
 */
import { createServer, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { discover, signInTokens } from "../support/make-code-flow";
import { storeConnectedAccount } from "../support/connected-account";
import { loadAppModules, type AppModules } from "../support/app-modules";
import { testTuning } from "../support/test-tuning";

let app: AppModules;
let api: typeof import("@/lib/make/client/api");
let calls: typeof import("@/lib/make/client/calls");
let errors: typeof import("@/lib/make/connection/errors");
let userId: string;

const ALL = "openid user:read organizations:read teams:read scenarios:read";

async function connect() {
  const tokens = await signInTokens(await discover(app.standIn), { client: "confidential", scope: ALL });
  return storeConnectedAccount(app.db, tokens, Math.floor(Date.now() / 1000) + 3600);
}

const forUser = () => api.MakeApi.forUser(userId);
const apiStats = () => app.standIn.controls.stats().api;

beforeAll(async () => {
  app = await loadAppModules({ env: testTuning({ TOKEN_TIMEOUT_MS: 600 }) });
  api = await import("@/lib/make/client/api");
  calls = await import("@/lib/make/client/calls");
  errors = await import("@/lib/make/connection/errors");
});
afterAll(() => app?.close());
beforeEach(async () => {
  app.standIn.controls.reset();
  await app.db.user.deleteMany();
  userId = await connect();
});

describe("Make API client", () => {
  it("asks the default zone for user-level data and each organization's own zone for its teams", async () => {
    const make = await forUser();
    const organizations = (await calls.listOrganizations(make)) as import("@/lib/make").ZonedOrganization[];
    expect(organizations).toEqual([
      { id: 5001, name: "Analytical Engines Ltd", zone: app.standIn.zones[0] },
      { id: 5011, name: "Difference Engine Inc.", zone: app.standIn.zones[1] },
    ]);
    for (const organization of organizations) await calls.listTeams(make, organization);
    expect(
      apiStats().map(({ zone, path, query }) => ({
        zone,
        path,
        org: new URLSearchParams(query).get("organizationId"),
      })),
    ).toEqual([
      { zone: app.standIn.zones[0], path: "/api/v2/organizations", org: null },
      { zone: app.standIn.zones[0], path: "/api/v2/teams", org: "5001" },
      { zone: app.standIn.zones[1], path: "/api/v2/teams", org: "5011" },
    ]);
    expect(await calls.grantedScopes(make)).toEqual([
      "user:read",
      "organizations:read",
      "teams:read",
      "scenarios:read",
    ]);
  });

  it("renews the token once on a 401 and retries once; a second 401 means reconnect", async () => {
    app.standIn.controls.fail({ endpoint: "api", mode: "status", status: 401, times: 1 });
    const make = await forUser();
    expect((await calls.currentMakeUser(make)).id).toBe(1001);
    expect(app.standIn.controls.stats().grants.refresh_token).toBe(1);
    expect(apiStats().map((call) => call.status)).toEqual([401, 200]);

    app.standIn.controls.fail({ endpoint: "api", mode: "status", status: 401 });
    await expect(calls.currentMakeUser(await forUser())).rejects.toMatchObject({
      name: "MakeConnectionError",
      reason: "reauth_required",
    });
    expect(app.standIn.controls.stats().grants.refresh_token).toBe(2);
    expect(apiStats().map((call) => call.status)).toEqual([401, 200, 401, 401]);
    const account = await app.db.account.findFirstOrThrow({ where: { userId } });
    expect(account).toMatchObject({
      state: "reauth_required",
      lastError: "access_token_refused",
      access_token: null,
    });
  });

  it("waits out a short Retry-After once; a long one is returned to the caller and the organization left alone", async () => {
    const make = await forUser();
    const [organization] = (await calls.listOrganizations(make)) as import("@/lib/make").ZonedOrganization[];
    // Make documents no Retry-After; this is the case where it sends one.
    app.standIn.controls.configure({ apiBudget: 1, apiBudgetWindowSeconds: 1, retryAfterOn429: true });
    await calls.listTeams(make, organization!);
    await calls.listTeams(make, organization!); // 429 with Retry-After 1, waited out, then allowed
    expect(
      apiStats()
        .slice(1)
        .map((call) => call.status),
    ).toEqual([200, 429, 200]);

    app.standIn.controls.configure({ apiBudget: 1, apiBudgetWindowSeconds: 60, retryAfterOn429: true });
    await calls.listTeams(make, organization!).catch(() => undefined); // may spend the fresh budget
    const error = await calls.listTeams(make, organization!).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errors.MakeApiError);
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterSeconds: expect.any(Number) });
    const before = apiStats().length;
    await expect(calls.listTeams(make, organization!)).rejects.toMatchObject({ kind: "rate_limited" });
    expect(apiStats().length).toBe(before);
  });

  it("keeps Make's error body when a call reaches the wrong zone", async () => {
    const make = await forUser();
    const wrongZone = { id: 5011, name: "Difference Engine Inc.", zone: app.standIn.zones[0]! };
    const error = await calls.listTeams(make, wrongZone).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      kind: "rejected",
      status: 400,
      code: "IM005",
      message: "User has no organization in the zone",
    });
  });

  it("loads the dashboard's organizations and granted scopes once per token for concurrent views", async () => {
    const { makeProfile } = await import("@/lib/make/client/profile");
    const views = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const make = await forUser();
        return Promise.all([makeProfile.organizations(make), makeProfile.grantedScopes(make)]);
      }),
    );
    expect(new Set(views.map((view) => JSON.stringify(view))).size).toBe(1);
    const paths = () => apiStats().map((call) => call.path);
    expect(paths()).toEqual(["/api/v2/organizations", "/api/v2/users/me/current-authorization"]);

    // A new token (here: a new sign-in) is asked again.
    await app.db.user.deleteMany();
    userId = await connect();
    const fresh = await forUser();
    await makeProfile.grantedScopes(fresh);
    expect(paths().filter((path) => path.endsWith("current-authorization"))).toHaveLength(2);
  });

  it("cuts a request off after TOKEN_TIMEOUT_MS", async () => {
    app.standIn.controls.configure({ apiLatencyMs: 3_000 });
    const error = await calls.currentMakeUser(await forUser()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "unavailable", message: "Make did not answer in time" });
  });

  it("sends nothing to a zone host Make's API names outside Make's zones and the configured ones", async () => {
    // A trap on the loopback that records every request (with its Authorization header) it receives.
    const received: IncomingMessage[] = [];
    const trap = createServer((req, res) => {
      received.push(req);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
    const trapHost = `127.0.0.1:${(trap.address() as { port: number }).port}`;
    try {
      const failures: unknown[] = [];
      for (const zone of [trapHost, `${app.standIn.zones[1]}@${trapHost}`, `eu1.make.com@${trapHost}`]) {
        app.standIn.controls.configure({ reportedZones: { "5011": zone } });
        const make = await forUser();
        const organization = (
          (await calls.listOrganizations(make)) as import("@/lib/make").ZonedOrganization[]
        ).find((org) => org.id === 5011)!;
        expect(organization.zone).toBe(zone);
        failures.push(await calls.listTeams(make, organization).catch((caught: unknown) => caught));
      }
      expect(received.map((req) => `${req.method} ${req.url} ${req.headers.authorization ?? ""}`)).toEqual(
        [],
      );
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(errors.MakeApiError);
        expect(failure).toMatchObject({ message: "Make named a zone this app does not call" });
      }
      // Reported in its own zone again, the organization works.
      app.standIn.controls.configure({ reportedZones: {} });
      const make = await forUser();
      const organization = (
        (await calls.listOrganizations(make)) as import("@/lib/make").ZonedOrganization[]
      ).find((org) => org.id === 5011)!;
      expect((await calls.listTeams(make, organization)).items.length).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
  });
});
