/**
 * Everything the dashboard shows, for one signed-in user. With a fresh token this costs no database round
 * trip beyond the session read (lib/auth/session.ts) and, within MAKE_PROFILE_CACHE_SECONDS, no call to Make:
 * the profile, the organizations and the granted scopes are each cached per access token and loaded once
 * for concurrent requests. A page view after expiry is also the moment the token is renewed; the panel then
 * re-reads the account so it shows the outcome.
 */
import "server-only";
import { preloadedTokenRow, type SignedInUser } from "@/lib/auth/session";
import { isFresh } from "@/lib/tokens/access-token";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { MakeApi } from "@/lib/make/api";
import { MakeApiError } from "@/lib/make/errors";
import { grantedScopes, listOrganizations } from "@/lib/make/calls";
import { cachedProfile } from "@/lib/make/profile-cache";
import { connectionStatus } from "@/lib/connection/status";
import { recentConnectionEvents } from "@/lib/connection/events";
import type { MakeIdentity } from "@/lib/connection/identity";

const logFailure = (what: string) => (error: unknown) => {
  console.error(`[dashboard] ${what} unavailable:`, error instanceof Error ? error.message : error);
  return null;
};

/**
 * The dashboard's calls to Make, each cached per access token (lib/make/profile-cache.ts) and loaded once
 * for concurrent requests. Other pages reuse them: /dashboard/scenarios lists the same organizations.
 */
export const makeProfile = {
  userinfo: (api: MakeApi, userId: string) =>
    cachedProfile(`${userId}:${api.tokenKey}:userinfo`, async () => ({ ...(await api.userinfo()) })),
  /** null when the token lacks `organizations:read` (kept like a result: it holds for the token's lifetime). */
  organizations: (api: MakeApi, userId: string) =>
    cachedProfile(`${userId}:${api.tokenKey}:organizations`, () =>
      listOrganizations(api).catch((error: unknown) => {
        if (error instanceof MakeApiError && error.kind === "forbidden") return null;
        throw error;
      }),
    ),
  grantedScopes: (api: MakeApi, userId: string) =>
    cachedProfile(`${userId}:${api.tokenKey}:scopes`, () => grantedScopes(api)),
};

async function loadIdentity(user: SignedInUser) {
  try {
    const api = await MakeApi.forUser(user);
    const [claims, organizations, scopes] = await Promise.all([
      makeProfile.userinfo(api, user.id),
      makeProfile.organizations(api, user.id).catch(logFailure("organizations")),
      makeProfile.grantedScopes(api, user.id).catch(logFailure("granted scopes")),
    ]);
    const identity: MakeIdentity = { ok: true, claims, organizations: organizations ?? [] };
    return { identity, scopes };
  } catch (error) {
    const reason = error instanceof MakeConnectionError ? error.reason : "make_error";
    if (reason === "make_error") logFailure("Make identity")(error);
    return { identity: { ok: false, reason } satisfies MakeIdentity, scopes: null };
  }
}

export async function loadDashboard(user: SignedInUser) {
  const account = preloadedTokenRow(user);
  const untouched = account?.state === "active" && isFresh(account);
  const { identity, scopes } = await loadIdentity(user);
  const [status, events] =
    untouched && identity.ok
      ? [user.makeConnection, user.recentEvents]
      : await Promise.all([connectionStatus(user.id), recentConnectionEvents(user.id)]);
  // Granted scopes: what Make reports for this token, never the requested list; null when Make did not say.
  return { identity, status, grantedScopes: scopes, events };
}
