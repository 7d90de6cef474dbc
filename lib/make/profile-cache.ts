/**
 * A short-lived, per-process cache of what Make says about a user (userinfo claims, organizations, granted
 * scopes), so a dashboard view does not wait on calls to Make every time. MAKE_PROFILE_CACHE_SECONDS sets
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
