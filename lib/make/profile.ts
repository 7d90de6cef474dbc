/**
 * What Make says about a user, cached: the profile (`/users/me`, userinfo), organizations and whether each
 * is reachable, granted scopes, the scenarios page's data. A short-lived,
 * per-process cache, so a dashboard view does not wait on calls to Make every time. PROFILE_CACHE_SECONDS sets
 * the lifetime (0 turns it off). Callers key entries by the access token (a hash of it,
 * `MakeApi.tokenKey`), so a refresh or reconnect never serves data from before it (and a revoked
 * connection has no token to look up with).
 *
 * Single flight: concurrent callers with the same key share one load, so the burst of requests that
 * follows a token refresh asks Make once, not once per request. A failed load is not kept, except Make's
 * refusals (403, a zone refusing the token, an unreadable answer): asking again would get the same answer.
 * Bounded: the oldest entries go first.
 */
import "server-only";
import type { MakeApi } from "@/lib/make/api";
import { recordApiLimit } from "@/lib/make/budget";
import {
  currentMakeUser,
  executionStatus,
  getOrganization,
  grantedScopes,
  listOrganizations,
  listScenarios,
  listTeams,
  hasZone,
  type MakeOrganization,
  type MakeScenario,
  type MakeTeam,
  type ScenarioList,
  type ZonedOrganization,
} from "@/lib/make/calls";
import {
  describeMakeApiError,
  MakeApiError,
  MakeConnectionError,
  type ConnectionUnavailableReason,
} from "@/lib/make/errors";
import { tunable } from "@/lib/test-tuning";

/**
 * How long Make's answers about a user are reused. Default: 60 s, so a burst of page views asks Make once
 * while a change made at Make shows within a minute.
 */
export const PROFILE_CACHE_SECONDS = tunable("PROFILE_CACHE_SECONDS", 60);

/**
 * The Make identity a page shows: the profile from `GET /users/me` (and userinfo, when it says more than
 * `sub`) and the organizations, or why not. The profile is best-effort: `profileProblem` says why it is
 * missing while the connection itself works.
 */
export type MakeIdentity =
  | {
      ok: true;
      claims: Record<string, unknown>;
      organizations: MakeOrganization[];
      /** Whether the connection reaches each organization; absent when Make could not be asked. */
      reach?: OrganizationReach[];
      profileProblem?: string;
    }
  | { ok: false; reason: ConnectionUnavailableReason | "make_error" };

/** Whether this connection reaches an organization, as its own zone answered `GET /organizations/{id}`. */
export type OrganizationReach =
  | { organization: MakeOrganization; reach: "reachable" }
  /** Make refused it (a consent bound to other organizations, a role) or its zone refused the token. */
  | { organization: MakeOrganization; reach: "forbidden" | "zone_refused"; error: MakeApiError }
  /** Could not be asked just now (the budget, Make unavailable). */
  | { organization: MakeOrganization; reach: "unknown"; error: unknown }
  /** Make did not say which zone it lives in, so nothing can be asked about it. */
  | { organization: MakeOrganization; reach: "zone_unknown" };

export interface TeamScenarios {
  team: MakeTeam;
  items: MakeScenario[];
  capped: boolean;
  order: ScenarioList["order"];
}

/** Make's answers that asking again within the cache's lifetime would not change. */
const isLastingRefusal = (error: unknown) =>
  error instanceof MakeApiError &&
  (error.kind === "forbidden" || error.kind === "zone_refused" || error.kind === "unexpected_answer");

const MAX_ENTRIES = 1_000;
const entries = new Map<string, { until: number; value: Promise<unknown> }>();

/** True when `key` holds a value a call would be served from now (no request to Make). */
export function isCachedProfile(key: string): boolean {
  const hit = entries.get(key);
  return !!hit && Date.now() < hit.until;
}

/**
 * The value under `key`, loaded once per PROFILE_CACHE_SECONDS. `keepMs` may shorten that for a
 * loaded value (an answer that holds only until a budget window ends).
 */
export function cachedProfile<T>(
  key: string,
  load: () => Promise<T>,
  keepMs?: (value: T) => number,
): Promise<T> {
  const ttlMs = PROFILE_CACHE_SECONDS * 1000;
  const hit = entries.get(key);
  if (hit && Date.now() < hit.until) return hit.value as Promise<T>;
  const value = load();
  if (ttlMs > 0) {
    const entry = { until: Date.now() + ttlMs, value };
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    value.then(
      (loaded) => {
        if (keepMs) entry.until = Math.min(entry.until, Date.now() + keepMs(loaded));
      },
      (error: unknown) => {
        if (entries.get(key) === entry && !isLastingRefusal(error)) entries.delete(key);
      },
    );
  }
  return value;
}

const keyOf = (api: MakeApi, what: string) => `${api.userId}:${api.tokenKey}:${what}`;

/** Profile text Make may send as an empty string (it does for a user without one). */
const present = (value: unknown) => (typeof value === "string" && value.trim() ? value : undefined);

/** A picture only when it is an http(s) URL: Make's own fixture has "..." for an avatar. */
function pictureUrl(value: unknown): string | undefined {
  const text = present(value);
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? text : undefined;
  } catch {
    return undefined;
  }
}

const problemOf = (error: unknown) =>
  error instanceof MakeApiError ? describeMakeApiError(error) : "Make did not answer the profile request.";

/**
 * Loads one organization's reach. Transient failures throw, so they are not kept; a spent budget is kept
 * until its window ends (`reachKeepMs`), so views in the meantime do not each ask the database again.
 */
async function probeOrganization(api: MakeApi, organization: ZonedOrganization): Promise<OrganizationReach> {
  try {
    const { apiLimit } = await getOrganization(api, organization);
    await recordApiLimit({ zone: organization.zone, organizationId: organization.id }, apiLimit).catch(
      () => {},
    );
    return { organization, reach: "reachable" };
  } catch (error) {
    if (error instanceof MakeApiError && (error.kind === "forbidden" || error.kind === "zone_refused"))
      return { organization, reach: error.kind, error };
    if (error instanceof MakeApiError && error.kind === "rate_limited" && error.retryAfterSeconds)
      return { organization, reach: "unknown", error };
    throw error;
  }
}

const reachKeepMs = (reach: OrganizationReach) =>
  reach.reach === "unknown" && reach.error instanceof MakeApiError
    ? (reach.error.retryAfterSeconds ?? 0) * 1000
    : Infinity;

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

/**
 * The calls every page shares, each cached per access token and loaded once for concurrent requests:
 * /dashboard and /dashboard/scenarios list the same organizations.
 */
export const makeProfile = {
  userinfo: (api: MakeApi) =>
    cachedProfile(keyOf(api, "userinfo"), async () => ({ ...(await api.userinfo()) })),
  me: (api: MakeApi) => cachedProfile(keyOf(api, "me"), () => currentMakeUser(api)),
  /**
   * `sub`, and what `GET /users/me` and userinfo say about the user. Neither is needed for the connection to
   * work: a failure of either is `problem`, unless the connection itself is gone (that throws).
   */
  async profile(api: MakeApi): Promise<{ claims: Record<string, unknown>; problem?: string }> {
    const [me, userinfo] = await Promise.allSettled([makeProfile.me(api), makeProfile.userinfo(api)]);
    for (const result of [me, userinfo]) {
      if (result.status === "rejected" && result.reason instanceof MakeConnectionError) throw result.reason;
    }
    const user = me.status === "fulfilled" ? me.value : undefined;
    const claims: Record<string, unknown> = userinfo.status === "fulfilled" ? userinfo.value : {};
    const merged: Record<string, unknown> = {
      ...claims,
      sub: api.sub,
      name: present(user?.name) ?? present(claims.name),
      email: present(user?.email) ?? present(claims.email),
      picture: pictureUrl(user?.avatar) ?? pictureUrl(claims.picture),
    };
    const problems: string[] = [];
    if (me.status === "rejected") {
      console.error("[make] GET /users/me failed:", (me.reason as Error)?.message);
      problems.push(`Your Make profile could not be loaded. ${problemOf(me.reason)}`);
    }
    if (userinfo.status === "rejected") {
      console.error("[make] userinfo failed:", (userinfo.reason as Error)?.message);
      problems.push("Make's userinfo endpoint did not answer as expected.");
    }
    return { claims: merged, problem: problems.join(" ") || undefined };
  },
  /** null when the token lacks `organizations:read` (kept like a result: it holds for the token's lifetime). */
  organizations: (api: MakeApi) =>
    cachedProfile(keyOf(api, "organizations"), () =>
      listOrganizations(api).catch((error: unknown) => {
        if (error instanceof MakeApiError && error.kind === "forbidden") return null;
        throw error;
      }),
    ),
  grantedScopes: (api: MakeApi) => cachedProfile(keyOf(api, "scopes"), () => grantedScopes(api)),
  /** Whether the reach of this organization is known for this token (asking costs no call). */
  knowsReach: (api: MakeApi, organization: ZonedOrganization) =>
    isCachedProfile(keyOf(api, `reach:${organization.id}`)),
  /** Which organizations this connection reaches: one call per organization (with a known zone) and token. */
  reach: (api: MakeApi, organizations: MakeOrganization[]) =>
    Promise.all(
      organizations.map((organization) =>
        !hasZone(organization)
          ? Promise.resolve<OrganizationReach>({ organization, reach: "zone_unknown" })
          : cachedProfile(
              keyOf(api, `reach:${organization.id}`),
              () => probeOrganization(api, organization),
              reachKeepMs,
            ).catch((error: unknown): OrganizationReach => {
              if (error instanceof MakeConnectionError) throw error;
              return { organization, reach: "unknown", error };
            }),
      ),
    ),
  /** Whether the scenarios page's data of this organization is cached (showing it costs no call). */
  knowsScenarios: (api: MakeApi, organization: ZonedOrganization) =>
    isCachedProfile(keyOf(api, `scenarios:${organization.id}`)),
  organizationScenarios: (api: MakeApi, organization: ZonedOrganization) =>
    cachedProfile(keyOf(api, `scenarios:${organization.id}`), () =>
      loadOrganizationScenarios(api, organization),
    ),
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
      const teams = await makeProfile.organizationScenarios(api, organization).catch(() => []);
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
    cachedProfile(
      `${api.userId}:execution:${organization.zone}:${executionId}`,
      () => executionStatus(api, organization, scenarioId, executionId),
      (execution) => (execution.status === "RUNNING" ? EXECUTION_RECHECK_MS : Infinity),
    ),
};

/** How long a RUNNING status is served before Make is asked again. */
export const EXECUTION_RECHECK_MS = 3_000;
