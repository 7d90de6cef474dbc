/**
 * The stand-in's Make REST API, served per zone (each zone's origin answers for the organizations in it).
 * ROUTES below is the one place to add an endpoint: a method, a path under /api/v2 (`:name` segments become
 * `params.name`), the scope the token needs, and a handler returning the JSON body. An endpoint missing
 * from it answers 501 with a sentence saying so. Who may call what is checked in api-access.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";

import { authenticate, type ApiRequest, type ZoneContext } from "./api-access";
import { ApiError, notImplemented, permissionDenied, switchedFailure } from "./api-errors";
import {
  currentAuthorization,
  getOrganization,
  listApiScopes,
  listOrganizations,
  listScenarios,
  listTeams,
  usersMe,
} from "./api-resources";
import { HttpError, readJson, sendJson } from "./http-utils";
import { executionDetail, executionLog, runScenario } from "./scenario-runs";
import {
  sampleCurrentAuthorization,
  sampleOrganization,
  sampleOrganizations,
  sampleScenarios,
  sampleTeams,
  sampleUsersMe,
  usesSamples,
} from "./sdk-answers";

export type { ZoneContext } from "./api-access";

const API_PREFIX = "/api/v2";

interface Route {
  method: "GET" | "POST";
  /** Under /api/v2; `:name` matches one segment. */
  path: string;
  /** Scope the token must have; none: any valid token may ask. */
  scope?: string;
  handle(request: ApiRequest): unknown;
}

/** The handler, or with `answerShapes: "sdk-samples"` the one answering in the SDK's sample bodies. */
const shaped =
  (own: Route["handle"], sample: Route["handle"]): Route["handle"] =>
  (request) =>
    usesSamples(request) ? sample(request) : own(request);

const ROUTES: readonly Route[] = [
  { method: "GET", path: "/users/me", scope: "user:read", handle: shaped(usersMe, sampleUsersMe) },
  {
    method: "GET",
    path: "/users/me/current-authorization",
    handle: shaped(currentAuthorization, sampleCurrentAuthorization),
  },
  {
    method: "GET",
    path: "/organizations",
    scope: "organizations:read",
    handle: shaped(listOrganizations, sampleOrganizations),
  },
  {
    method: "GET",
    path: "/organizations/:organizationId",
    scope: "organizations:read",
    handle: shaped(getOrganization, sampleOrganization),
  },
  { method: "GET", path: "/teams", scope: "teams:read", handle: shaped(listTeams, sampleTeams) },
  {
    method: "GET",
    path: "/scenarios",
    scope: "scenarios:read",
    handle: shaped(listScenarios, sampleScenarios),
  },
  { method: "POST", path: "/scenarios/:scenarioId/run", scope: "scenarios:run", handle: runScenario },
  {
    method: "GET",
    path: "/scenarios/:scenarioId/executions/:executionId",
    scope: "scenarios:read",
    handle: executionDetail,
  },
  {
    method: "GET",
    path: "/scenarios/:scenarioId/logs/:executionId",
    scope: "scenarios:read",
    handle: executionLog,
  },
  { method: "GET", path: "/enums/user-api-tokes-scopes", handle: listApiScopes },
  { method: "GET", path: "/enums/user-api-token-scopes", handle: listApiScopes },
];

export function isMakeApiPath(path: string): boolean {
  return path.startsWith(`${API_PREFIX}/`);
}

const decodeSegment = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The route for this method and path, with its `:name` segments. */
function findRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = path.slice(API_PREFIX.length).split("/");
  for (const route of ROUTES) {
    const pattern = route.path.split("/");
    if (route.method !== method || pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = decodeSegment(segments[index]!);
      if (part.startsWith(":")) params[part.slice(1)] = segment;
      return part.startsWith(":") ? segment !== "" : part === segment;
    });
    if (matches) return { route, params };
  }
  return undefined;
}

async function requestBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  try {
    return await readJson(req);
  } catch (error) {
    if (error instanceof HttpError)
      throw new ApiError(error.status, { detail: error.message, message: "Invalid request", code: "SC400" });
    throw error;
  }
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
  const method = req.method ?? "GET";
  try {
    const failure = context.state.takeFailure("api");
    if (failure?.mode === "status") throw switchedFailure(failure.status);
    const found = findRoute(method, path);
    if (!found) throw notImplemented(method, path);
    const caller = await authenticate(context, req);
    if (found.route.scope && !caller.scopes.has(found.route.scope)) throw permissionDenied();
    const body = await requestBody(req);
    const answer = found.route.handle({
      caller,
      query: url.searchParams,
      params: found.params,
      body,
      context,
    });
    return sendJson(res, 200, answer);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return sendJson(res, error.status, error.body, error.headers);
  }
}
