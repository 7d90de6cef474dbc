/**
 * The `answerShapes: "sdk-samples"` switch: the bodies Make's own SDK tests use (sdk-samples/, verbatim),
 * ids and zones adapted to the caller, plus one scenario whose `scheduling` has no `type`. How each is
 * adapted is in the stand-in's README; edit this when the samples change.
 */
import organizationsGet from "./sdk-samples/organizations-get.json";
import organizationsList from "./sdk-samples/organizations-list.json";
import scenariosList from "./sdk-samples/scenarios-list.json";
import teamsList from "./sdk-samples/teams-list.json";
import usersAuthorization from "./sdk-samples/users-current-authorization.json";
import usersMeSample from "./sdk-samples/users-me.json";

import { organizationInZone, zoneOf, type ApiRequest } from "./api-access";
import { notFound } from "./api-errors";
import { integerParam } from "./api-resources";
import { organizationsOf, teamsOf } from "./catalog";

/** The sample scenarios, and the one without a scheduling type. */
export const SAMPLE_SCENARIOS: ReadonlyArray<Record<string, unknown> & { id: number; isActive: boolean }> = [
  ...scenariosList.scenarios,
  { ...scenariosList.scenarios[0]!, id: 418340, name: "Workshop reminders", isActive: true, scheduling: {} },
];

export function sampleUsersMe({ caller }: ApiRequest) {
  return { authUser: { ...usersMeSample.authUser, id: Number(caller.sub) } };
}

export function sampleCurrentAuthorization({ caller }: ApiRequest) {
  const scope = [...caller.scopes].filter((name) => name !== "openid");
  return { authorization: { ...usersAuthorization.authorization, scope } };
}

/** `GET /organizations` without `zone`, whatever `cols[]` asked for. */
export function sampleOrganizations({ caller }: ApiRequest) {
  const own = organizationsOf(caller.sub);
  const organizations = organizationsList.organizations
    .map((sample, index) => (own[index] ? { ...sample, id: own[index].id } : undefined))
    .filter((item) => item !== undefined);
  return { ...organizationsList, organizations };
}

export function sampleOrganization({ caller, params, context }: ApiRequest) {
  const organization = organizationInZone(caller, Number(params.organizationId), context);
  const firstTeam = teamsOf(organization.id)[0];
  const sample = organizationsGet.organization;
  return {
    organization: {
      ...sample,
      id: organization.id,
      zone: zoneOf(organization, context),
      teams: firstTeam ? [{ ...sample.teams[0]!, id: firstTeam.id }] : [],
    },
  };
}

export function sampleTeams({ caller, query, context }: ApiRequest) {
  const organization = organizationInZone(caller, integerParam(query, "organizationId"), context);
  const firstTeam = teamsOf(organization.id)[0];
  const teams = teamsList.teams.map((team) => ({
    ...team,
    id: firstTeam?.id ?? team.id,
    organizationId: organization.id,
  }));
  return { ...teamsList, teams };
}

/** `GET /scenarios?organizationId=`: the samples, for the caller's first organization only. */
export function sampleScenarios({ caller, query, context }: ApiRequest) {
  const organization = organizationInZone(caller, integerParam(query, "organizationId"), context);
  const first = organizationsOf(caller.sub)[0];
  return { ...scenariosList, scenarios: organization.id === first?.id ? SAMPLE_SCENARIOS : [] };
}

/** A sample scenario by id, with the caller's first organization (checked like any call about it). */
export function sampleScenario({ caller, params, context }: ApiRequest) {
  const scenario = SAMPLE_SCENARIOS.find((item) => item.id === Number(params.scenarioId));
  const first = organizationsOf(caller.sub)[0];
  if (!scenario || !first) throw notFound(`Scenario ${params.scenarioId} not found`);
  organizationInZone(caller, first.id, context);
  return { ...scenario, isinvalid: false, teamId: Number(scenario.teamId), organizationId: first.id };
}

export const usesSamples = ({ context }: ApiRequest) => context.state.config.answerShapes === "sdk-samples";
