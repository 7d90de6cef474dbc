/**
 * The Make API calls the starter makes, each sent to the right zone with the scope it needs, beside the zod
 * schema of what it reads from the answer. A product's own calls live with its pages (docs/extending.md).
 */
import "server-only";
import { z } from "zod";
import { env } from "@/lib/env";
import type { MakeApi } from "@/lib/make/client/api";
import { listPage, parseMakeAnswer as parsed } from "@/lib/make/client/answer";
import { MakeApiError } from "@/lib/make/connection/errors";
import { collectPages, type PageRequest } from "@/lib/make/client/pagination";

/**
 * Every scope a call below needs: what "Grant access" may ask Make for. Scopes of your own calls go in
 * lib/make-scopes.ts.
 */
export const GRANTABLE_SCOPES = [
  "user:read",
  "organizations:read",
  "teams:read",
  "scenarios:read",
  "scenarios:run",
] as const;

const id = z.number().int();
/** Text Make may leave out or send as null: absent either way. */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const flag = z
  .boolean()
  .nullish()
  .transform((value) => value ?? false);
const userSchema = z.looseObject({
  id,
  name: optionalText,
  email: optionalText,
  /** A URL in practice; the SDK's own fixture has "...", so the profile checks it before showing it. */
  avatar: optionalText,
  timezone: optionalText,
  locale: optionalText,
});
export type MakeUser = z.output<typeof userSchema>;

const organizationSchema = z.looseObject({ id, name: z.string(), zone: optionalText });
export interface MakeOrganization {
  id: number;
  name: string;
  /** The zone host its data lives in, e.g. `eu1.make.com`; null when Make did not say (the page says so). */
  zone: string | null;
}
/** An organization whose zone is known: the only kind a call can be sent for. */
export type ZonedOrganization = MakeOrganization & { zone: string };
export const hasZone = (organization: MakeOrganization): organization is ZonedOrganization =>
  organization.zone !== null;

const teamSchema = z.looseObject({ id, name: z.string(), organizationId: id.optional() });
export interface MakeTeam {
  id: number;
  name: string;
  /** A team the team list did not show, though the organization's scenarios name it. */
  unlisted?: boolean;
}

export const SCHEDULING_TYPES = [
  "immediately",
  "indefinitely",
  "once",
  "daily",
  "weekly",
  "monthly",
  "yearly",
  "on-demand",
] as const;
/** A scheduling the app can describe; any other (no `type`, an unknown one, a string) has none. */
const schedulingSchema = z
  .looseObject({
    type: z.enum(SCHEDULING_TYPES).optional().catch(undefined),
    interval: z.number().optional().catch(undefined),
    time: z.string().optional().catch(undefined),
  })
  .nullish()
  .catch(undefined)
  .transform((value) => value ?? undefined);

const scenarioSchema = z.looseObject({
  id,
  name: z.string(),
  teamId: id,
  isActive: flag,
  isPaused: flag,
  isinvalid: flag,
  lastEdit: optionalText,
  scheduling: schedulingSchema,
});
export type MakeScenario = z.output<typeof scenarioSchema>;

const EXECUTION_STATUSES = ["RUNNING", "SUCCESS", "WARNING", "ERROR"] as const;
const executionSchema = z.looseObject({
  status: z.enum(EXECUTION_STATUSES),
  error: z
    .looseObject({ name: optionalText, message: optionalText, causeModule: z.unknown() })
    .nullish()
    .catch(undefined),
});
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export interface MakeExecution {
  status: ExecutionStatus;
  /** Make's own words for an ERROR (or WARNING), when it gave them. */
  errorMessage?: string;
}

/** `GET /users/me` in the default zone (scope `user:read`): the profile, which the id_token does not carry. */
export async function currentMakeUser(api: MakeApi): Promise<MakeUser> {
  const body = await api.call((make) => make.fetch("/users/me"), { scope: "user:read" });
  return parsed(z.looseObject({ authUser: userSchema }), "GET /users/me", body).authUser;
}

/** The scopes this access token really has: Make's token responses do not say. */
export const grantedScopes = (api: MakeApi): Promise<string[]> => api.grantedScopes();

/**
 * Every organization of the user, across zones (`zone` must be asked for with `cols[]`). One Make left
 * without its zone is asked for it with `GET /organizations/{id}` in the default zone; if that does not
 * say either, its zone is null and the pages say so.
 */
export async function listOrganizations(api: MakeApi): Promise<MakeOrganization[]> {
  const { items } = await collectPages((pg) =>
    listPage(
      () =>
        api.call(
          (make) => make.fetch("/organizations", { query: { cols: ["id", "name", "zone"], pg: { ...pg } } }),
          { scope: "organizations:read" },
        ),
      "organizations",
      organizationSchema,
      "GET /organizations",
    ),
  );
  return Promise.all(
    items.map(async ({ id, name, zone }) => ({
      id,
      name,
      zone: zone ?? (await organizationZone(api, id).catch(() => null)),
    })),
  );
}

const organizationDetail = z.looseObject({
  organization: z.looseObject({
    zone: optionalText,
    license: z.looseObject({ apiLimit: z.number().int().positive().optional().catch(undefined) }).optional(),
  }),
});

async function fetchOrganization(api: MakeApi, organizationId: number, zone: string) {
  const body = await api.call((make) => make.fetch(`/organizations/${organizationId}`), {
    zone,
    scope: "organizations:read",
    organizationId,
  });
  return parsed(organizationDetail, "GET /organizations/{id}", body).organization;
}

/** The zone of an organization the list gave without one, as its own detail says it. */
async function organizationZone(api: MakeApi, organizationId: number): Promise<string | null> {
  return (await fetchOrganization(api, organizationId, env.MAKE_DEFAULT_ZONE)).zone ?? null;
}

/**
 * `GET /organizations/{id}` in the organization's own zone: whether this connection reaches it, and its
 * API budget (`license.apiLimit`, which Make reports only there).
 */
export async function getOrganization(
  api: MakeApi,
  organization: ZonedOrganization,
): Promise<{ apiLimit?: number }> {
  const found = await fetchOrganization(api, organization.id, organization.zone);
  return { apiLimit: found.license?.apiLimit };
}

const inOrganization = (organization: ZonedOrganization) => ({
  zone: organization.zone,
  organizationId: organization.id,
});

/** The organization's teams, personal spaces included, from the organization's zone (scope `teams:read`). */
export async function listTeams(api: MakeApi, organization: ZonedOrganization) {
  const { items, capped } = await collectPages((pg) =>
    listPage(
      () =>
        api.call(
          (make) =>
            make.fetch("/teams", {
              query: {
                organizationId: organization.id,
                cols: ["id", "name", "organizationId"],
                pg: { ...pg },
                includePrivateSpaces: true,
              },
            }),
          { ...inOrganization(organization), scope: "teams:read" },
        ),
      "teams",
      teamSchema,
      "GET /teams",
    ),
  );
  return { items: items.map(({ id, name }): MakeTeam => ({ id, name })), capped };
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

/** Whether Make sorted as asked: it echoes the key it used, and the items must be in that order. */
const sortedByLastEdit = (items: MakeScenario[], pg?: { sortBy?: string }) =>
  (pg?.sortBy === undefined || pg.sortBy === "lastEdit") &&
  items.every((item, index) => index === 0 || newestEditFirst(items[index - 1]!, item) <= 0);

export interface ScenarioList {
  items: MakeScenario[];
  capped: boolean;
  /**
   * `lastEdit`: the newest edits, newest first. `make`: Make ignored or refused the sort and the list was
   * capped, so these are the first Make listed (sorted here), not necessarily the newest.
   */
  order: "lastEdit" | "make";
}

/**
 * Scenarios, newest edit first, from the organization's zone (scope `scenarios:read`), the whole
 * organization's in one list, which costs fewer calls than one list per team. When Make refuses
 * `pg[sortBy]=lastEdit` (a 400) the list is asked once more without it; when Make ignores it (it echoes
 * another key, or the order is not the one asked) the list is sorted here.
 */
export async function listScenarios(
  api: MakeApi,
  organization: ZonedOrganization,
  maxItems = 600,
): Promise<ScenarioList> {
  const load = (sorted: boolean) =>
    collectPages(
      (pg: PageRequest) =>
        listPage(
          () =>
            api.call(
              (make) =>
                make.fetch("/scenarios", {
                  query: {
                    organizationId: organization.id,
                    cols: [...SCENARIO_COLUMNS],
                    pg: sorted ? { ...pg, sortBy: "lastEdit", sortDir: "desc" } : { ...pg },
                  },
                }),
              { ...inOrganization(organization), scope: "scenarios:read" },
            ),
          "scenarios",
          scenarioSchema,
          "GET /scenarios",
        ),
      { pageSize: 200, maxItems },
    );
  if (!sortByRefused) {
    try {
      const listed = await load(true);
      if (sortedByLastEdit(listed.items, listed.pg)) return { ...listed, order: "lastEdit" };
      return {
        ...listed,
        items: listed.items.sort(newestEditFirst),
        order: listed.capped ? "make" : "lastEdit",
      };
    } catch (error) {
      if (!(error instanceof MakeApiError && error.status === 400)) throw error;
    }
  }
  const listed = await load(false);
  // Only once the list without `pg[sortBy]` worked was it the sorting that Make refused.
  sortByRefused = true;
  return { ...listed, items: listed.items.sort(newestEditFirst), order: listed.capped ? "make" : "lastEdit" };
}

/**
 * Starts a run of a scenario in the organization's zone (scope `scenarios:run`), without waiting for it
 * to finish (`responsive: false`): Make answers with the execution's id at once, and the caller follows it
 * with executionStatus. Make refuses an inactive scenario or one already running (400), a missing
 * permission (403) and a spent budget (429): all reach the caller. Only answers that say no run was
 * started are ever retried (MakeApi.call); a timeout or a 5xx is not, since the run may have started.
 * Make does not deduplicate runs: the caller makes sure one request means one run.
 */
export async function runScenario(
  api: MakeApi,
  organization: ZonedOrganization,
  scenarioId: number,
): Promise<{ executionId: string }> {
  const body = await api.call(
    (make) => make.fetch(`/scenarios/${scenarioId}/run`, { method: "POST", body: { responsive: false } }),
    { ...inOrganization(organization), scope: "scenarios:run" },
  );
  return parsed(z.looseObject({ executionId: z.string().min(1) }), "POST /scenarios/{id}/run", body);
}

/**
 * An execution as Make reports it (`GET /scenarios/{id}/executions/{executionId}`, scope
 * `scenarios:read`): RUNNING, SUCCESS, WARNING or ERROR, with Make's error message.
 */
export async function executionStatus(
  api: MakeApi,
  organization: ZonedOrganization,
  scenarioId: number,
  executionId: string,
): Promise<MakeExecution> {
  const body = await api.call(
    (make) => make.fetch(`/scenarios/${scenarioId}/executions/${encodeURIComponent(executionId)}`),
    { ...inOrganization(organization), scope: "scenarios:read" },
  );
  const { status, error } = parsed(executionSchema, "GET /scenarios/{id}/executions/{executionId}", body);
  const errorMessage = error?.message ?? error?.name;
  return { status, ...(errorMessage ? { errorMessage } : {}) };
}
