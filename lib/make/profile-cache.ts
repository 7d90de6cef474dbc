/**
 * A short-lived, per-process cache of what Make says about a user (userinfo claims and organizations), so
 * a dashboard view does not wait on two calls to Make every time. MAKE_PROFILE_CACHE_SECONDS sets the
 * lifetime (default 60, 0 turns it off). Callers key entries by the access token's expiry, so a refresh or
 * reconnect never serves a profile from before it (and a revoked connection has no token to look up with).
 * Bounded: the oldest entries go first.
 */
import "server-only";
import { env } from "@/lib/env";

const MAX_ENTRIES = 1_000;
const entries = new Map<string, { at: number; value: unknown }>();

export async function cachedProfile<T>(key: string, load: () => Promise<T>): Promise<T> {
  const ttlMs = env.MAKE_PROFILE_CACHE_SECONDS * 1000;
  const hit = entries.get(key);
  if (hit && Date.now() - hit.at < ttlMs) return hit.value as T;
  const value = await load();
  if (ttlMs > 0) {
    entries.delete(key);
    entries.set(key, { at: Date.now(), value });
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  }
  return value;
}
