/**
 * The scenarios page's data: each organization's teams and scenarios, the organization a scenario belongs
 * to, a run's status. Every answer is kept per access token through the Make connection's cache, so a
 * view, a Run now and a poll of a run ask Make as little as the page needs.
 */
import "server-only";
import {
  cachedMakeAnswer,
  executionStatus,
  hasZone,
  isCachedMakeAnswer,
  listScenarios,
  listTeams,
  makeProfile,
  type MakeApi,
  type MakeScenario,
  type MakeTeam,
  type ScenarioList,
  type ZonedOrganization,
} from "@/lib/make";

export interface TeamScenarios {
  team: MakeTeam;
  items: MakeScenario[];
  capped: boolean;
  order: ScenarioList["order"];
}

/**
 * The scenarios page's data for one organization: its teams, and its scenarios in one list. Scenarios of a
 * team the team list does not show (Make's own fixtures have them) are listed under that team's id.
 */
async function loadOrganizationScenarios(api: MakeApi, organization: ZonedOrganization) {
  const teams = await listTeams(api, organization);
  const scenarios = await listScenarios(api, organization);
  const listed = new Set(teams.items.map((team) => team.id));
  const unlisted = [...new Set(scenarios.items.map((scenario) => scenario.teamId))]
    .filter((teamId) => !listed.has(teamId))
    .sort((a, b) => a - b)
    .map((teamId): MakeTeam => ({ id: teamId, name: `Team ${teamId}`, unlisted: true }));
  return [...teams.items, ...unlisted].map((team): TeamScenarios => {
    const items = scenarios.items.filter((scenario) => scenario.teamId === team.id);
    return { team, items, capped: scenarios.capped, order: scenarios.order };
  });
}

/** The cache key of one organization's teams and scenarios, for this token. */
const scenariosKey = (api: MakeApi, organization: ZonedOrganization) =>
  api.cacheKey(`scenarios:${organization.id}`);

/** How long a RUNNING status is served before Make is asked again. */
export const EXECUTION_RECHECK_MS = 3_000;

/** The scenarios page's calls, each cached (the cache's keys are per token, except a run's: per execution). */
export const scenarioData = {
  /** Whether the scenarios page's data of this organization is cached (showing it costs no call). */
  knowsScenarios: (api: MakeApi, organization: ZonedOrganization) =>
    isCachedMakeAnswer(scenariosKey(api, organization)),
  organizationScenarios: (api: MakeApi, organization: ZonedOrganization) =>
    cachedMakeAnswer(scenariosKey(api, organization), () => loadOrganizationScenarios(api, organization)),
  /**
   * The organization a scenario belongs to, looked up in the user's current organizations and their
   * scenario lists (usually cached from the page the user came from), never taken from a form: calls about
   * the scenario spend that organization's budget. `zone_unknown` when it may sit in an organization whose
   * zone Make did not give.
   */
  async scenarioOrganization(
    api: MakeApi,
    scenarioId: number,
  ): Promise<{ organization: ZonedOrganization; scenario: MakeScenario } | "zone_unknown" | null> {
    const organizations = (await makeProfile.organizations(api)) ?? [];
    for (const organization of organizations.filter(hasZone)) {
      const teams = await scenarioData.organizationScenarios(api, organization).catch(() => []);
      for (const { items } of teams) {
        const scenario = items.find((item) => item.id === scenarioId);
        if (scenario) return { organization, scenario };
      }
    }
    return organizations.some((organization) => !hasZone(organization)) ? "zone_unknown" : null;
  },
  /** The user's current organization of this id in this zone: a stored run is asked about only while it is. */
  async currentOrganization(api: MakeApi, organizationId: number, zone: string) {
    const organizations = (await makeProfile.organizations(api)) ?? [];
    return organizations
      .filter(hasZone)
      .find((organization) => organization.id === organizationId && organization.zone === zone);
  },
  /**
   * An execution's status, cached per execution: a finished one for the cache's lifetime, a running one
   * for EXECUTION_RECHECK_MS, so any number of views and polls of a run ask Make at most that often.
   */
  execution: (api: MakeApi, organization: ZonedOrganization, scenarioId: number, executionId: string) =>
    cachedMakeAnswer(
      `${api.userId}:execution:${organization.zone}:${executionId}`,
      () => executionStatus(api, organization, scenarioId, executionId),
      (execution) => (execution.status === "RUNNING" ? EXECUTION_RECHECK_MS : Infinity),
    ),
};
