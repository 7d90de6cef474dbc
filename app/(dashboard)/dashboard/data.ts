/**
 * Everything the dashboard shows, for one signed-in user. With a fresh token this costs no database round
 * trip beyond the session read and, within ANSWER_CACHE_SECONDS, no call to Make: the profile, the
 * organizations, whether each is reachable and the granted scopes are each cached per access token. A page view after expiry is also
 * the moment the token is renewed; the status is then read again so the panel shows the outcome.
 */
import "server-only";
import { errorMessage, log } from "@/lib/log";
import {
  connectionStatus,
  hasZone,
  MakeApi,
  MakeConnectionError,
  makeProfile,
  type MakeIdentity,
  type MakeOrganization,
} from "@/lib/make";

const logFailure = (what: string) => (error: unknown) => {
  log.warn(`dashboard: ${what} unavailable`, { error: errorMessage(error) });
  return null;
};

/** Which organizations the connection reaches, asked once per token; the calls reserved in one round trip. */
async function organizationReach(api: MakeApi, organizations: MakeOrganization[]) {
  const unknown = organizations
    .filter(hasZone)
    .filter((organization) => !makeProfile.knowsReach(api, organization));
  if (unknown.length > 0)
    await api.reserve(unknown.map(({ id, zone }) => [{ zone, organizationId: id }, 1] as const));
  return makeProfile.reach(api, organizations);
}

async function loadIdentity(userId: string) {
  try {
    const api = await MakeApi.forUser(userId);
    const [profile, organizations, scopes] = await Promise.all([
      makeProfile.profile(api),
      makeProfile.organizations(api).catch(logFailure("organizations")),
      makeProfile.grantedScopes(api).catch(logFailure("granted scopes")),
    ]);
    const reach = organizations
      ? await organizationReach(api, organizations).catch(logFailure("organization reach"))
      : null;
    const identity: MakeIdentity = {
      ok: true,
      claims: profile.claims,
      profileProblem: profile.problem,
      organizations: organizations ?? [],
      reach: reach ?? undefined,
    };
    return { identity, scopes };
  } catch (error) {
    const reason = error instanceof MakeConnectionError ? error.reason : "make_error";
    if (reason === "make_error") logFailure("Make identity")(error);
    return { identity: { ok: false, reason } satisfies MakeIdentity, scopes: null };
  }
}

export async function loadDashboard(userId: string) {
  const { identity, scopes } = await loadIdentity(userId);
  const { status, events } = await connectionStatus(userId);
  // Granted scopes: what Make reports for this token, never the requested list; null when Make did not say.
  return { identity, status, grantedScopes: scopes, events };
}
