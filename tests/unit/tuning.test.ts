// lib/make's tuning constants, and the one test-only seam that changes them (lib/test-tuning.ts).
import { afterEach, describe, expect, it, vi } from "vitest";
import { testTuning } from "../support/test-tuning";

/** app/layout.tsx's maxDuration; tests/e2e/serverless.test.ts checks that the build gives every page this. */
const PAGE_MAX_DURATION_MS = 60_000;

function stubEnv(env: Record<string, string | undefined>) {
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.stubEnv("SKIP_ENV_VALIDATION", "1");
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

async function loadTuning(env: Record<string, string | undefined>) {
  stubEnv(env);
  return import("@/lib/test-tuning");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("tuning constants", () => {
  it("end a refresh within a page's maxDuration: T of discovery, then the holder's 3T and its write budget", async () => {
    await loadTuning({});
    const { TOKEN_TIMEOUT_MS } = await import("@/lib/make/connection/authorization-server");
    const { leaseMs, SAFETY_MS } = await import("@/lib/make/connection/refresh");
    expect(TOKEN_TIMEOUT_MS).toBe(10_000);
    expect(TOKEN_TIMEOUT_MS + leaseMs() - SAFETY_MS).toBeLessThanOrEqual(PAGE_MAX_DURATION_MS);
  });

  it("take a test's value when the module loads, and their default otherwise", async () => {
    await loadTuning(testTuning({ API_BUDGET_WINDOW_SECONDS: 1 }));
    expect((await import("@/lib/make/client/budget")).API_BUDGET_WINDOW_SECONDS).toBe(1);
    await loadTuning({});
    expect((await import("@/lib/make/client/budget")).API_BUDGET_WINDOW_SECONDS).toBe(60);
  });
});

describe("the test-only tuning seam", () => {
  it("is refused on a Vercel production deployment, naming the variable", async () => {
    await expect(
      loadTuning({ VERCEL_ENV: "production", ...testTuning({ TOKEN_TIMEOUT_MS: 1000 }) }),
    ).rejects.toThrow(
      /TEST_ONLY_TUNING_TOKEN_TIMEOUT_MS: test-only tuning is refused on a production deployment/,
    );
    const { tunable } = await loadTuning({
      VERCEL_ENV: "preview",
      ...testTuning({ TOKEN_TIMEOUT_MS: 1000 }),
    });
    expect(tunable("TOKEN_TIMEOUT_MS", 10_000)).toBe(1000);
  });

  it("stops the server at start on a production deployment", async () => {
    stubEnv({
      DATABASE_URL: "postgresql://user:pw@db.example.com:5432/app",
      AUTH_SECRET: "x".repeat(40),
      AUTH_MAKE_ISSUER: "https://www.make.com",
      AUTH_MAKE_ID: "client-id",
      VERCEL_ENV: "production",
      ...testTuning({ ANSWER_CACHE_SECONDS: 0 }),
    });
    const exit = vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as typeof process.exit);
    const output = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const { startServer } = await import("@/lib/server-start");
      await expect(startServer()).rejects.toThrow("exit 1");
      expect(output.mock.calls.flat().join("\n")).toMatch(/TEST_ONLY_TUNING_ANSWER_CACHE_SECONDS/);
    } finally {
      exit.mockRestore();
      output.mockRestore();
    }
  });

  it("refuses a name that is no tuning constant, naming it", async () => {
    await expect(loadTuning({ TEST_ONLY_TUNING_TOKEN_TIMEOUT: "1000" })).rejects.toThrow(
      /TEST_ONLY_TUNING_TOKEN_TIMEOUT: no such tuning constant/,
    );
  });

  it("refuses a value that is not a number", async () => {
    await expect(loadTuning(testTuning({ TOKEN_TIMEOUT_MS: Number.NaN }))).rejects.toThrow(
      /TEST_ONLY_TUNING_TOKEN_TIMEOUT_MS: must be a number/,
    );
  });
});
