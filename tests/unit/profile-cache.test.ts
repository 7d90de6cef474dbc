import { afterEach, describe, expect, it, vi } from "vitest";
import { testTuning } from "../support/test-tuning";

async function loadCache(seconds: number) {
  vi.resetModules();
  vi.stubEnv("SKIP_ENV_VALIDATION", "1");
  for (const [name, value] of Object.entries(testTuning({ ANSWER_CACHE_SECONDS: seconds })))
    vi.stubEnv(name, value);
  return (await import("@/lib/make/client/cache")).cachedMakeAnswer;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the Make profile cache", () => {
  it("asks Make once for a burst of concurrent requests with the same token", async () => {
    const cachedProfile = await loadCache(60);
    const load = vi.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve("profile"), 20)));
    const results = await Promise.all(Array.from({ length: 16 }, () => cachedProfile("user:1", load)));
    expect(results).toEqual(Array(16).fill("profile"));
    expect(load).toHaveBeenCalledTimes(1);
    expect(await cachedProfile("user:1", load)).toBe("profile");
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("loads again for another token, and does not keep a failed load", async () => {
    const cachedProfile = await loadCache(60);
    const failing = vi.fn(() => Promise.reject(new Error("Make is down")));
    await expect(cachedProfile("user:1", failing)).rejects.toThrow("Make is down");
    const load = vi.fn(async () => "profile");
    expect(await cachedProfile("user:1", load)).toBe("profile");
    expect(await cachedProfile("user:2", load)).toBe("profile");
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("keeps nothing when ANSWER_CACHE_SECONDS is 0", async () => {
    const cachedProfile = await loadCache(0);
    const load = vi.fn(async () => "profile");
    await cachedProfile("user:1", load);
    await cachedProfile("user:1", load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
