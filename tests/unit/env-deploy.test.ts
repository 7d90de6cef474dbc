// The deployment variables of lib/env.ts: the redirect proxy URL, the direct database URL and the cron
// secret, which Vercel requires.
import { describe, expect, it, vi } from "vitest";

const VALID = {
  DATABASE_URL: "postgresql://user:pw@pooler.example.com:6543/app",
  AUTH_SECRET: "x".repeat(40),
  AUTH_MAKE_ISSUER: "https://www.make.com",
  AUTH_MAKE_ID: "client-id",
};
const DEPLOYMENT = ["VERCEL", "CRON_SECRET", "AUTH_REDIRECT_PROXY_URL", "DATABASE_URL_UNPOOLED"];

async function loadEnv(vars: Record<string, string | undefined>) {
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.stubEnv("SKIP_ENV_VALIDATION", "");
  for (const name of [...Object.keys(VALID), ...DEPLOYMENT]) vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return import("@/lib/env");
}

describe("deployment variables", () => {
  it("accepts the stable deployment's /api/auth URL as the redirect proxy", async () => {
    const { env } = await loadEnv({ ...VALID, AUTH_REDIRECT_PROXY_URL: "https://app.example.com/api/auth" });
    expect(env.AUTH_REDIRECT_PROXY_URL).toBe("https://app.example.com/api/auth");
  });

  it("rejects a redirect proxy URL that is not an /api/auth URL, naming it", async () => {
    await expect(loadEnv({ ...VALID, AUTH_REDIRECT_PROXY_URL: "https://app.example.com" })).rejects.toThrow(
      /AUTH_REDIRECT_PROXY_URL: must be the stable deployment's \/api\/auth URL/,
    );
  });

  it("rejects a DATABASE_URL_UNPOOLED that is not PostgreSQL", async () => {
    await expect(loadEnv({ ...VALID, DATABASE_URL_UNPOOLED: "mysql://db/app" })).rejects.toThrow(
      /DATABASE_URL_UNPOOLED/,
    );
  });

  it("requires CRON_SECRET on Vercel and names it", async () => {
    await expect(loadEnv({ ...VALID, VERCEL: "1" })).rejects.toThrow("CRON_SECRET: is not set");
    const { env } = await loadEnv({ ...VALID, VERCEL: "1", CRON_SECRET: "c".repeat(32) });
    expect(env.CRON_SECRET).toBe("c".repeat(32));
  });

  it("leaves CRON_SECRET optional elsewhere, but never short", async () => {
    expect((await loadEnv(VALID)).env.CRON_SECRET).toBeUndefined();
    await expect(loadEnv({ ...VALID, CRON_SECRET: "short" })).rejects.toThrow(
      /CRON_SECRET: must be at least 16/,
    );
  });
});
