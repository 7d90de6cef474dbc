/**
 * The Make API calls this app makes, each sent to the right zone with the scope it needs. Add yours here:
 * pick the SDK method (`make.<resource>.<method>`), the zone (MAKE_DEFAULT_ZONE for user-level data, the
 * organization's own zone for anything inside it), the scope (add it to GRANTABLE_SCOPES), and
 * `collectPages` for lists. docs/extending.md walks through one.
 */
import "server-only";
import type { Scenario, Team } from "@makehq/sdk";
import type { MakeApi } from "@/lib/make/api";
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
  timezone?: string;
  locale?: string;
}

/** `GET /users/me` in the default zone (scope `user:read`). */
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

/** The organization's teams, from the organization's zone (scope `teams:read`). */
export async function listTeams(api: MakeApi, organization: MakeOrganization) {
  return collectPages((pg) =>
    api.call((make) => make.teams.list(organization.id, { cols: ["id", "name", "organizationId"], pg }), {
      zone: organization.zone,
      scope: "teams:read",
      organizationId: organization.id,
    }),
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

/** A team's scenarios, newest edit first, from the organization's zone (scope `scenarios:read`). */
export async function listScenarios(
  api: MakeApi,
  organization: MakeOrganization,
  team: MakeTeam,
  maxItems = 200,
) {
  return collectPages(
    (pg) =>
      api.call(
        (make) =>
          make.scenarios.list(team.id, {
            cols: [...SCENARIO_COLUMNS],
            pg: { ...pg, sortBy: "lastEdit", sortDir: "desc" },
          }) as Promise<MakeScenario[]>,
        { zone: organization.zone, scope: "scenarios:read", organizationId: organization.id },
      ),
    { pageSize: 50, maxItems },
  );
}
