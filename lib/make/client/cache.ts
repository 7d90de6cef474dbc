/**
 * Make's answers kept in this process for a short while, per access token, with a single flight: concurrent
 * callers of one key share one load. Product calls may use it too (`cachedMakeAnswer` at the door). Edit it
 * to change how long or how many answers are kept; why losing them is safe: lib/make/README.md.
 */
import "server-only";
import { MakeApiError } from "@/lib/make/connection/errors";
import { tunable } from "@/lib/test-tuning";

/**
 * How long Make's answers about a user are reused. Default: 60 s, so a burst of page views asks Make once
 * while a change made at Make shows within a minute.
 */
export const ANSWER_CACHE_SECONDS = tunable("ANSWER_CACHE_SECONDS", 60);

/** Make's answers that asking again within the cache's lifetime would not change. */
const isLastingRefusal = (error: unknown) =>
  error instanceof MakeApiError &&
  (error.kind === "forbidden" || error.kind === "zone_refused" || error.kind === "unexpected_answer");

const MAX_ENTRIES = 1_000;
const entries = new Map<string, { until: number; value: Promise<unknown> }>();

/** True when `key` holds a value a call would be served from now (no request to Make). */
export function isCachedMakeAnswer(key: string): boolean {
  const hit = entries.get(key);
  return !!hit && Date.now() < hit.until;
}

/**
 * The value under `key`, loaded once per ANSWER_CACHE_SECONDS. `keepMs` may shorten that for a
 * loaded value (an answer that holds only until a budget window ends).
 */
export function cachedMakeAnswer<T>(
  key: string,
  load: () => Promise<T>,
  keepMs?: (value: T) => number,
): Promise<T> {
  const ttlMs = ANSWER_CACHE_SECONDS * 1000;
  const hit = entries.get(key);
  if (hit && Date.now() < hit.until) return hit.value as Promise<T>;
  const value = load();
  if (ttlMs > 0) {
    const entry = { until: Date.now() + ttlMs, value };
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    value.then(
      (loaded) => {
        if (keepMs) entry.until = Math.min(entry.until, Date.now() + keepMs(loaded));
      },
      (error: unknown) => {
        if (entries.get(key) === entry && !isLastingRefusal(error)) entries.delete(key);
      },
    );
  }
  return value;
}
