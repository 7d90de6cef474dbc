/**
 * What Make says about a user, as pages show it: the profile (`/users/me`, userinfo), the organizations and
 * whether each is reachable, the granted scopes. Each answer is kept per access token (client/cache.ts), so
 * a dashboard view does not wait on Make every time and a refresh never serves data from before it.
 */
import "server-only";
import { errorMessage, log } from "@/lib/log";
import type { MakeApi } from "@/lib/make/client/api";
import { cachedMakeAnswer, isCachedMakeAnswer } from "@/lib/make/client/cache";
import { recordApiLimit } from "@/lib/make/client/budget";
import {
  currentMakeUser,
  getOrganization,
  listOrganizations,
  hasZone,
  type MakeOrganization,
  type ZonedOrganization,
} from "@/lib/make/client/calls";
import {
  describeMakeApiError,
  MakeApiError,
  MakeConnectionError,
  type ConnectionUnavailableReason,
} from "@/lib/make/connection/errors";

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
 * The calls every page shares, each cached per access token and loaded once for concurrent requests:
 * /dashboard and /dashboard/scenarios list the same organizations.
 */
export const makeProfile = {
  userinfo: (api: MakeApi) =>
    cachedMakeAnswer(api.cacheKey("userinfo"), async () => ({ ...(await api.userinfo()) })),
  me: (api: MakeApi) => cachedMakeAnswer(api.cacheKey("me"), () => currentMakeUser(api)),
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
      log.error("GET /users/me failed", { error: errorMessage(me.reason) });
      problems.push(`Your Make profile could not be loaded. ${problemOf(me.reason)}`);
    }
    if (userinfo.status === "rejected") {
      log.error("userinfo failed", { error: errorMessage(userinfo.reason) });
      problems.push("Make's userinfo endpoint did not answer as expected.");
    }
    return { claims: merged, problem: problems.join(" ") || undefined };
  },
  /** null when the token lacks `organizations:read` (kept like a result: it holds for the token's lifetime). */
  organizations: (api: MakeApi) =>
    cachedMakeAnswer(api.cacheKey("organizations"), () =>
      listOrganizations(api).catch((error: unknown) => {
        if (error instanceof MakeApiError && error.kind === "forbidden") return null;
        throw error;
      }),
    ),
  grantedScopes: (api: MakeApi) => api.cachedGrantedScopes(),
  /** Whether the reach of this organization is known for this token (asking costs no call). */
  knowsReach: (api: MakeApi, organization: ZonedOrganization) =>
    isCachedMakeAnswer(api.cacheKey(`reach:${organization.id}`)),
  /** Which organizations this connection reaches: one call per organization (with a known zone) and token. */
  reach: (api: MakeApi, organizations: MakeOrganization[]) =>
    Promise.all(
      organizations.map((organization) =>
        !hasZone(organization)
          ? Promise.resolve<OrganizationReach>({ organization, reach: "zone_unknown" })
          : cachedMakeAnswer(
              api.cacheKey(`reach:${organization.id}`),
              () => probeOrganization(api, organization),
              reachKeepMs,
            ).catch((error: unknown): OrganizationReach => {
              if (error instanceof MakeConnectionError) throw error;
              return { organization, reach: "unknown", error };
            }),
      ),
    ),
};
