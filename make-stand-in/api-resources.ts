/**
 * The stand-in's Make API resources the dashboard reads: the user, organizations, teams, scenarios and the
 * scopes enum, answered with the fields `@makehq/sdk` types them with. Routes to these are in make-api.ts.
 */
import { findTeam, organizationsOf, scenariosOfTeams, teamsOf, type CatalogOrganization } from "./catalog";
import { zoneOf, organizationInZone, type ApiRequest, type ZoneContext } from "./api-access";
import { invalidInput, notFound } from "./api-errors";
import { listPage, pickColumns } from "./api-lists";
import { MAKE_SCOPES } from "./provider";
import { findUserBySub } from "./users";

const ORGANIZATION_COLUMNS = ["id", "name", "countryId", "timezoneId"] as const;

export const integerParam = (query: URLSearchParams, name: string) => {
  const value = Number(query.get(name));
  if (!query.has(name) || !Number.isInteger(value)) throw invalidInput(`Parameter ${name} is required`);
  return value;
};

const lists = (context: ZoneContext, defaultSortBy?: string) => ({
  strictSortBy: context.state.config.strictSortBy,
  ignoreSortBy: context.state.config.ignoreSortBy,
  maxPageLimit: context.state.config.maxPageLimit,
  defaultSortBy,
});

/** `GET /users/me`: the profile, since the id_token and userinfo promise only `sub`. */
export function usersMe({ caller, context }: ApiRequest) {
  const user = findUserBySub(caller.sub);
  // Make always sends strings here; the `sub-only` user has no profile, so empty ones.
  return {
    authUser: {
      id: Number(caller.sub),
      name: user?.name ?? "",
      email: user?.email ?? "",
      language: "en",
      timezoneId: 113,
      localeId: 1,
      countryId: 1,
      features: {},
      avatar: user?.picture ? new URL(user.picture, context.issuer).href : "",
      timezone: "Europe/Prague",
      locale: "en",
    },
  };
}

export function currentAuthorization({ caller }: ApiRequest) {
  return {
    authorization: { authUsed: "oauth", scope: [...caller.scopes].filter((scope) => scope !== "openid") },
  };
}

/** Every field of an organization; `license` only for the zone that was asked, as at Make. */
function organizationFields(organization: CatalogOrganization, context: ZoneContext) {
  const { zoneSlot: _slot, ...rest } = organization;
  const zone = zoneOf(organization, context);
  return {
    ...rest,
    zone: context.state.config.reportedZones[String(organization.id)] ?? zone,
    ...(zone === context.zone ? { license: { apiLimit: context.state.apiLimitOf(organization.id) } } : {}),
  };
}

/** `GET /organizations`: `zone` (like every non-default field) only when asked for with `cols[]`. */
export function listOrganizations({ caller, query, context }: ApiRequest) {
  const { page, pg } = listPage(organizationsOf(caller.sub), query, lists(context));
  const organizations = page.map((organization) =>
    pickColumns(organizationFields(organization, context), query, ORGANIZATION_COLUMNS),
  );
  return { organizations, pg };
}

/** `GET /organizations/{organizationId}`: counts against the budget it reports as `license.apiLimit`. */
export function getOrganization({ caller, params, context }: ApiRequest) {
  const organizationId = Number(params.organizationId);
  if (!Number.isInteger(organizationId)) throw notFound(`Organization ${params.organizationId} not found`);
  return { organization: organizationFields(organizationInZone(caller, organizationId, context), context) };
}

/** `GET /teams?organizationId=`: personal teams only with `includePrivateSpaces=true`. */
export function listTeams({ caller, query, context }: ApiRequest) {
  const organization = organizationInZone(caller, integerParam(query, "organizationId"), context);
  const privateSpaces = query.get("includePrivateSpaces") === "true" ? caller.sub : undefined;
  const teams = teamsOf(organization.id, privateSpaces).map(({ ownerSub: _owner, ...team }) => team);
  const { page, pg } = listPage(teams, query, lists(context));
  return { teams: page, pg };
}

/** `GET /scenarios?teamId=` or `?organizationId=`, never both (a 400, as at Make). */
export function listScenarios({ caller, query, context }: ApiRequest) {
  if (query.has("teamId") && query.has("organizationId"))
    throw invalidInput("Use either teamId or organizationId, not both");
  let teamIds: Set<number>;
  if (query.has("teamId")) {
    const team = findTeam(integerParam(query, "teamId"));
    if (!team) throw notFound("Team not found");
    organizationInZone(caller, team.organizationId, context);
    teamIds = new Set([team.id]);
  } else {
    const organization = organizationInZone(caller, integerParam(query, "organizationId"), context);
    teamIds = new Set(teamsOf(organization.id).map((team) => team.id));
  }
  const { page, pg } = listPage(scenariosOfTeams(teamIds), query, lists(context, "name"));
  return { scenarios: page, pg };
}

/** `GET /enums/user-api-tokes-scopes` (Make's spelling; also the corrected one): the API scopes. */
export function listApiScopes() {
  return {
    userApiTokenScopes: MAKE_SCOPES.filter((scope) => scope !== "openid").map((name) => ({ name })),
  };
}
