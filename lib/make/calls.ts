/**
 * The Make API calls this app makes, each sent to the right zone with the scope it needs. Add yours here:
 * pick the SDK method (`make.<resource>.<method>`), the zone (MAKE_DEFAULT_ZONE for user-level data, the
 * organization's own zone for anything inside it), the scope (add it to GRANTABLE_SCOPES), and
 * `collectPages` for lists. docs/extending.md walks through one.
 */
import "server-only";
import type { ExecutionDetail, Scenario, Team } from "@makehq/sdk";
import type { MakeApi } from "@/lib/make/api";
import { MakeApiError } from "@/lib/make/errors";
import { collectPages } from "@/lib/make/pagination";

/** Every scope a call below needs: what "Grant access" may ask Make for. */
export const GRANTABLE_SCOPES = [
  "user:read",
  "organizations:read",
  "teams:read",
  "scenarios:read",
  "scenarios:run",
] as const;

export interface MakeOrganization {
  id: number;
  name: string;
  /** The zone host its data lives in, e.g. `eu1.make.com`. */
  zone: string;
}
export type MakeTeam = Pick<Team, "id" | "name" | "organizationId">;
export type MakeScenario = Pick<
  Scenario,
  "id" | "name" | "teamId" | "isActive" | "isPaused" | "isinvalid" | "lastEdit"
> & {
  scheduling?: Scenario["scheduling"];
};

export interface MakeUser {
  id: number;
  name?: string;
  email?: string;
  avatar?: string;
  timezone?: string;
  locale?: string;
}

/** `GET /users/me` in the default zone (scope `user:read`): the profile, which the id_token does not carry. */
export const currentMakeUser = (api: MakeApi): Promise<MakeUser> =>
  api.call((make) => make.users.me(), { scope: "user:read" });

/** The scopes this access token really has: Make's token responses do not say (`GET /users/me/current-authorization`). */
export async function grantedScopes(api: MakeApi): Promise<string[]> {
  const authorization = await api.call((make) => make.users.currentAuthorization());
  return authorization.scope ?? [];
}

/** Every organization of the user, across zones; `zone` must be asked for explicitly. */
export async function listOrganizations(api: MakeApi): Promise<MakeOrganization[]> {
  const { items } = await collectPages((pg) =>
    api.call((make) => make.organizations.list({ cols: ["id", "name", "zone"], pg }), {
      scope: "organizations:read",
    }),
  );
  return items.map(({ id, name, zone }) => ({ id, name, zone }));
}

/**
 * `GET /organizations/{id}` in the organization's own zone: whether this connection reaches it, and its
 * API budget (`license.apiLimit`, which Make reports only there).
 */
export async function getOrganization(
  api: MakeApi,
  organization: MakeOrganization,
): Promise<{ apiLimit?: number }> {
  const found = (await api.call((make) => make.organizations.get(organization.id), {
    zone: organization.zone,
    scope: "organizations:read",
    organizationId: organization.id,
  })) as { license?: { apiLimit?: unknown } };
  const apiLimit = found?.license?.apiLimit;
  return { apiLimit: typeof apiLimit === "number" ? apiLimit : undefined };
}

/** The organization's teams, personal spaces included, from the organization's zone (scope `teams:read`). */
export async function listTeams(api: MakeApi, organization: MakeOrganization) {
  return collectPages((pg) =>
    api.call(
      (make) =>
        make.teams.list(organization.id, {
          cols: ["id", "name", "organizationId"],
          pg,
          includePrivateSpaces: true,
        }),
      { zone: organization.zone, scope: "teams:read", organizationId: organization.id },
    ),
  );
}

const SCENARIO_COLUMNS = [
  "id",
  "name",
  "teamId",
  "isActive",
  "isPaused",
  "isinvalid",
  "lastEdit",
  "scheduling",
] as const;

/** Make's lists may accept only some `pg[sortBy]` keys (undocumented): one it refused is not sent again. */
let sortByRefused = false;

const newestEditFirst = (a: MakeScenario, b: MakeScenario) =>
  String(b.lastEdit ?? "").localeCompare(String(a.lastEdit ?? ""));

/**
 * Scenarios, newest edit first, from the organization's zone (scope `scenarios:read`): one team's, or with
 * no team the whole organization's in one list, which costs fewer calls than one list per team. When Make
 * refuses `pg[sortBy]=lastEdit` (a 400), the list is asked once more without it and sorted here.
 */
export async function listScenarios(
  api: MakeApi,
  organization: MakeOrganization,
  team?: MakeTeam,
  maxItems = team ? 200 : 600,
) {
  const load = (sorted: boolean) =>
    collectPages(
      (pg) =>
        api.call(
          (make) => {
            const options = {
              cols: [...SCENARIO_COLUMNS],
              pg: sorted ? { ...pg, sortBy: "lastEdit" as const, sortDir: "desc" as const } : pg,
            };
            return (
              team
                ? make.scenarios.list(team.id, options)
                : make.scenarios.listInOrganization(organization.id, options)
            ) as Promise<MakeScenario[]>;
          },
          { zone: organization.zone, scope: "scenarios:read", organizationId: organization.id },
        ),
      { pageSize: team ? 50 : 200, maxItems },
    );
  if (!sortByRefused) {
    try {
      return await load(true);
    } catch (error) {
      if (!(error instanceof MakeApiError && error.status === 400)) throw error;
    }
  }
  const listed = await load(false);
  // Only once the list without `pg[sortBy]` worked was it the sorting that Make refused.
  sortByRefused = true;
  return { ...listed, items: listed.items.sort(newestEditFirst) };
}

/**
 * Starts a run of an on-demand scenario in the organization's zone (scope `scenarios:run`), without
 * waiting for it to finish: Make answers with the execution's id at once. Make refuses an inactive or
 * invalid scenario (400), a missing permission (403) and a spent budget (429): all reach the caller.
 * Only answers that say no run was started are ever retried (MakeApi.call: a 401 after renewing the
 * token, a 429 whose Retry-After is short); a timeout or a 5xx is not, since the run may have started.
 * Make does not deduplicate runs: the caller makes sure one request means one run (the scenarios page
 * keys each form).
 */
export async function runScenario(
  api: MakeApi,
  organization: MakeOrganization,
  scenarioId: number,
): Promise<{ executionId: string }> {
  const { executionId } = await api.call(
    (make) => make.scenarios.run(scenarioId, {}, { responsive: false }),
    { zone: organization.zone, scope: "scenarios:run", organizationId: organization.id },
  );
  return { executionId };
}

/** An execution's status as Make reports it: RUNNING, SUCCESS, WARNING or ERROR (scope `scenarios:read`). */
export async function executionStatus(
  api: MakeApi,
  organization: MakeOrganization,
  scenarioId: number,
  executionId: string,
): Promise<ExecutionDetail["status"]> {
  const detail = await api.call((make) => make.executions.getDetail(scenarioId, executionId), {
    zone: organization.zone,
    scope: "scenarios:read",
    organizationId: organization.id,
  });
  return detail.status;
}
