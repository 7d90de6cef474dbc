/**
 * Everything the dashboard shows, for one signed-in user. With a fresh token this costs no database round
 * trip beyond the session read (lib/auth/session.ts) and, within MAKE_PROFILE_CACHE_SECONDS, no call to Make.
 * A page view after expiry is also the moment the token is renewed; the panel then re-reads the account so
 * it shows the outcome.
 */
import "server-only";
import { preloadedTokenRow, type SignedInUser } from "@/lib/auth/session";
import { getMakeAccessToken, isFresh } from "@/lib/tokens/access-token";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { fetchUserinfo } from "@/lib/make/authorization-server";
import { listOrganizations } from "@/lib/make/api";
import { cachedProfile } from "@/lib/make/profile-cache";
import { connectionStatus } from "@/lib/connection/status";
import { recentConnectionEvents } from "@/lib/connection/events";
import type { MakeIdentity } from "@/lib/connection/identity";

async function loadIdentity(user: SignedInUser): Promise<MakeIdentity> {
  const account = preloadedTokenRow(user);
  try {
    const token = await getMakeAccessToken(user.id, account);
    const profile = await cachedProfile(`${user.id}:${token.expiresAt}`, async () => {
      const [claims, organizations] = await Promise.all([
        fetchUserinfo(token.accessToken, token.sub),
        listOrganizations(token.accessToken).catch(() => []),
      ]);
      return { claims: { ...claims }, organizations };
    });
    return { ok: true, ...profile };
  } catch (error) {
    if (error instanceof MakeConnectionError) return { ok: false, reason: error.reason };
    console.error("[dashboard] Make identity unavailable:", error instanceof Error ? error.message : error);
    return { ok: false, reason: "make_error" };
  }
}

export async function loadDashboard(user: SignedInUser) {
  const account = preloadedTokenRow(user);
  const untouched = account?.state === "active" && isFresh(account);
  const identity = await loadIdentity(user);
  if (untouched && identity.ok) return { identity, status: user.makeConnection, events: user.recentEvents };
  const [status, events] = await Promise.all([connectionStatus(user.id), recentConnectionEvents(user.id)]);
  return { identity, status, events };
}
