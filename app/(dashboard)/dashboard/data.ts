/**
 * Everything the dashboard shows, loaded for one user. Make is called with a token from
 * getMakeAccessToken, so a page view after expiry is also the moment the token is renewed.
 */
import "server-only";
import { getMakeAccessToken } from "@/lib/tokens/access-token";
import { MakeConnectionError, type ConnectionUnavailableReason } from "@/lib/tokens/errors";
import { fetchUserinfo } from "@/lib/make/authorization-server";
import { listOrganizations, type MakeOrganization } from "@/lib/make/api";
import { connectionStatus } from "@/lib/connection/status";
import { recentConnectionEvents } from "@/lib/connection/events";

export type MakeIdentity =
  | { ok: true; claims: Record<string, unknown>; organizations: MakeOrganization[] }
  | { ok: false; reason: ConnectionUnavailableReason | "make_error" };

async function loadIdentity(userId: string): Promise<MakeIdentity> {
  try {
    const token = await getMakeAccessToken(userId);
    const [claims, organizations] = await Promise.all([
      fetchUserinfo(token.accessToken, token.sub),
      listOrganizations(token.accessToken).catch(() => []),
    ]);
    return { ok: true, claims: { ...claims }, organizations };
  } catch (error) {
    if (error instanceof MakeConnectionError) return { ok: false, reason: error.reason };
    console.error("[dashboard] Make identity unavailable:", error instanceof Error ? error.message : error);
    return { ok: false, reason: "make_error" };
  }
}

export async function loadDashboard(userId: string) {
  const identity = await loadIdentity(userId);
  const [status, events] = await Promise.all([connectionStatus(userId), recentConnectionEvents(userId)]);
  return { identity, status, events };
}
