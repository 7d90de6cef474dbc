/**
 * The stand-in's Make REST API, served per zone: each zone's origin answers for the organizations in that
 * zone, and a call about an organization sent to another zone fails as it does at Make. Bearer tokens are
 * looked up in oidc-provider's storage (expired and revoked ones are refused, scopes are checked); errors
 * carry Make's body `{ detail, message, code }`; lists paginate with `pg[offset]` / `pg[limit]`; each
 * organization has a request budget per window, answered with 429 and Retry-After when spent.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type Provider from "oidc-provider";

import { findTeam, organizationsOf, scenariosOfTeams, teamsOf, type CatalogOrganization } from "./catalog";
import type { StandInState } from "./controls";
import { sendJson } from "./http-utils";
import { findUserBySub } from "./users";

export interface ZoneContext {
  /** The zone host this request arrived on (the issuer's origin counts as the first zone). */
  zone: string;
  /** Zone hosts by slot. */
  zones: readonly string[];
  state: StandInState;
  provider(): Provider;
}

interface Caller {
  sub: string;
  scopes: ReadonlySet<string>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: {
      detail?: string;
      message: string;
      code: string;
      suberrors?: Array<{ message: string; code: string }>;
    },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

type Handler = (caller: Caller, query: URLSearchParams, context: ZoneContext) => unknown;

interface Route {
  /** Scope the token must have; none for current-authorization (any valid token may ask what it is). */
  scope?: string;
  handle: Handler;
}

const zoneOf = (organization: CatalogOrganization, context: ZoneContext) =>
  context.zones[organization.zoneSlot]!;

function publicOrganization(organization: CatalogOrganization, context: ZoneContext) {
  const { zoneSlot: _slot, ...rest } = organization;
  return { ...rest, zone: zoneOf(organization, context) };
}

/** Reads `pg[offset]` / `pg[limit]` (Make's default page is 10, its maximum 10000). */
function paginate<T>(items: readonly T[], query: URLSearchParams) {
  const offset = Math.max(0, Number(query.get("pg[offset]") ?? 0) || 0);
  const limit = Math.min(10_000, Math.max(1, Number(query.get("pg[limit]") ?? 10) || 10));
  return { page: items.slice(offset, offset + limit), pg: { offset, limit } };
}

function sortScenarios<T extends { lastEdit: string; name: string }>(
  items: T[],
  query: URLSearchParams,
): T[] {
  const by = query.get("pg[sortBy]") === "lastEdit" ? "lastEdit" : "name";
  const direction = query.get("pg[sortDir]") === "desc" ? -1 : 1;
  return items.sort((a, b) => a[by].localeCompare(b[by]) * direction);
}

/** The organization a call is about, checked against the caller and the zone the call reached. */
function organizationInZone(
  caller: Caller,
  organizationId: number,
  context: ZoneContext,
): CatalogOrganization {
  const organization = organizationsOf(caller.sub).find((candidate) => candidate.id === organizationId);
  if (!organization) {
    throw new ApiError(404, {
      detail: `Organization ${organizationId} not found`,
      message: "Not found",
      code: "SC404",
    });
  }
  if (zoneOf(organization, context) !== context.zone) {
    throw new ApiError(400, {
      detail: "User has no organization in the zone",
      message: "Invalid zone",
      code: "IM005",
      suberrors: [
        {
          message: `Organization ${organizationId} lives in ${zoneOf(organization, context)}`,
          code: "IM005",
        },
      ],
    });
  }
  spendBudget(organization, context);
  return organization;
}

/** Make limits requests per organization and minute; over it: 429 with Retry-After. */
function spendBudget(organization: CatalogOrganization, context: ZoneContext): void {
  const retryAfter = context.state.spendApiBudget(organization.id);
  if (retryAfter === undefined) return;
  throw new ApiError(
    429,
    {
      detail: "Requests limit for organization exceeded, please try again later.",
      message: "Rate limit exceeded",
      code: "SC429",
    },
    { "retry-after": String(retryAfter) },
  );
}

const integerParam = (query: URLSearchParams, name: string) => {
  const value = Number(query.get(name));
  if (!query.has(name) || !Number.isInteger(value)) {
    throw new ApiError(400, {
      detail: `Parameter ${name} is required`,
      message: "Validation failed",
      code: "IM002",
    });
  }
  return value;
};

const ROUTES: Record<string, Route> = {
  "/api/v2/users/me": {
    scope: "user:read",
    handle: ({ sub }) => {
      const user = findUserBySub(sub);
      // Make always sends strings here; the `sub-only` user has no profile, so empty ones.
      return {
        authUser: {
          id: Number(sub),
          name: user?.name ?? "",
          email: user?.email ?? "",
          timezone: "Europe/Prague",
          locale: "en",
        },
      };
    },
  },
  "/api/v2/users/me/current-authorization": {
    handle: ({ scopes }) => ({
      authorization: { authUsed: "oauth", scope: [...scopes].filter((scope) => scope !== "openid") },
    }),
  },
  "/api/v2/organizations": {
    scope: "organizations:read",
    handle: ({ sub }, query, context) => {
      const { page, pg } = paginate(organizationsOf(sub), query);
      return { organizations: page.map((organization) => publicOrganization(organization, context)), pg };
    },
  },
  "/api/v2/teams": {
    scope: "teams:read",
    handle: (caller, query, context) => {
      const organization = organizationInZone(caller, integerParam(query, "organizationId"), context);
      const { page, pg } = paginate(teamsOf(organization.id), query);
      return { teams: page, pg };
    },
  },
  "/api/v2/scenarios": {
    scope: "scenarios:read",
    handle: (caller, query, context) => {
      let teamIds: Set<number>;
      if (query.has("teamId")) {
        const team = findTeam(integerParam(query, "teamId"));
        if (!team) throw new ApiError(404, { detail: "Team not found", message: "Not found", code: "SC404" });
        organizationInZone(caller, team.organizationId, context);
        teamIds = new Set([team.id]);
      } else {
        const organization = organizationInZone(caller, integerParam(query, "organizationId"), context);
        teamIds = new Set(teamsOf(organization.id).map((team) => team.id));
      }
      const { page, pg } = paginate(sortScenarios(scenariosOfTeams(teamIds), query), query);
      return { scenarios: page, pg };
    },
  },
};

export function isMakeApiPath(path: string): boolean {
  return path.startsWith("/api/v2/");
}

async function authenticate(provider: Provider, req: IncomingMessage): Promise<Caller> {
  const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? "");
  const token = match?.[1] ? await provider.AccessToken.find(match[1]) : undefined;
  if (!token || !token.accountId) {
    throw new ApiError(
      401,
      {
        detail: "Access token is missing, invalid, expired or revoked",
        message: "Unauthorized",
        code: "SC401",
      },
      { "www-authenticate": 'Bearer error="invalid_token"' },
    );
  }
  return { sub: token.accountId, scopes: token.scopes };
}

export async function handleMakeApi(
  context: ZoneContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://make-stand-in.invalid");
  const record = context.state.recordApiCall({ zone: context.zone, path, query: url.search });
  res.on("finish", () => (record.status = res.statusCode));
  const latency = context.state.apiLatencyFor(context.zone);
  if (latency > 0) await delay(latency);
  try {
    const failure = context.state.takeFailure("api");
    if (failure?.mode === "status") {
      const unauthorized = failure.status === 401;
      throw new ApiError(failure.status, {
        detail: unauthorized
          ? "Access token is invalid"
          : `Stand-in failure switch answered ${failure.status}`,
        message: unauthorized ? "Unauthorized" : "Service unavailable",
        code: `SC${failure.status}`,
      });
    }
    const route = ROUTES[path];
    if (!route) throw new ApiError(404, { detail: `No route ${path}`, message: "Not found", code: "SC404" });
    if (req.method !== "GET") throw new ApiError(405, { message: "Method not allowed", code: "SC405" });
    const caller = await authenticate(context.provider(), req);
    if (route.scope && !caller.scopes.has(route.scope)) {
      throw new ApiError(
        403,
        { detail: `Access token is missing the scope ${route.scope}`, message: "Forbidden", code: "SC403" },
        { "www-authenticate": `Bearer error="insufficient_scope", scope="${route.scope}"` },
      );
    }
    return sendJson(res, 200, route.handle(caller, url.searchParams, context));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return sendJson(res, error.status, error.body, error.headers);
  }
}
