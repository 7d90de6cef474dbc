/**
 * What Make says about a user, cached: userinfo claims, organizations, granted scopes. A short-lived,
 * per-process cache, so a dashboard view does not wait on calls to Make every time. MAKE_PROFILE_CACHE_SECONDS sets
 * the lifetime (default 60, 0 turns it off). Callers key entries by the access token (a hash of it,
 * `MakeApi.tokenKey`), so a refresh or reconnect never serves data from before it (and a revoked
 * connection has no token to look up with).
 *
 * Single flight: concurrent callers with the same key share one load, so the burst of requests that
 * follows a token refresh asks Make once, not once per request. A failed load is not kept. Bounded: the
 * oldest entries go first.
 */
import "server-only";
import { env } from "@/lib/env";
import type { MakeApi } from "@/lib/make/api";
import { grantedScopes, listOrganizations, type MakeOrganization } from "@/lib/make/calls";
import { MakeApiError, type ConnectionUnavailableReason } from "@/lib/make/errors";

/** The Make identity a page shows: what Make's userinfo and organizations endpoints said, or why not. */
export type MakeIdentity =
  | { ok: true; claims: Record<string, unknown>; organizations: MakeOrganization[] }
  | { ok: false; reason: ConnectionUnavailableReason | "make_error" };

const MAX_ENTRIES = 1_000;
const entries = new Map<string, { at: number; value: Promise<unknown> }>();

export function cachedProfile<T>(key: string, load: () => Promise<T>): Promise<T> {
  const ttlMs = env.MAKE_PROFILE_CACHE_SECONDS * 1000;
  const hit = entries.get(key);
  if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>;
  const value = load();
  if (ttlMs > 0) {
    const entry = { at: Date.now(), value };
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
  }
  return value;
}

/**
 * The calls every page shares, each cached per access token and loaded once for concurrent requests:
 * /dashboard and /dashboard/scenarios list the same organizations.
 */
export const makeProfile = {
  userinfo: (api: MakeApi) =>
    cachedProfile(`${api.userId}:${api.tokenKey}:userinfo`, async () => ({ ...(await api.userinfo()) })),
  /** null when the token lacks `organizations:read` (kept like a result: it holds for the token's lifetime). */
  organizations: (api: MakeApi) =>
    cachedProfile(`${api.userId}:${api.tokenKey}:organizations`, () =>
      listOrganizations(api).catch((error: unknown) => {
        if (error instanceof MakeApiError && error.kind === "forbidden") return null;
        throw error;
      }),
    ),
  grantedScopes: (api: MakeApi) =>
    cachedProfile(`${api.userId}:${api.tokenKey}:scopes`, () => grantedScopes(api)),
};
