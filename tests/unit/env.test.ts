import { describe, expect, it, vi } from "vitest";

const VALID = {
  DATABASE_URL: "postgresql://user:pw@db.example.com:5432/app",
  AUTH_SECRET: "x".repeat(40),
  AUTH_MAKE_ISSUER: "https://www.make.com",
  AUTH_MAKE_ID: "client-id",
};

async function loadEnv(vars: Record<string, string | undefined>) {
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.stubEnv("SKIP_ENV_VALIDATION", "");
  for (const name of [...Object.keys(VALID), "AUTH_MAKE_SECRET", "AUTH_MAKE_SCOPE", "TOKEN_ENCRYPTION_KEY"])
    vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return import("@/lib/env");
}

describe("environment", () => {
  it("accepts a complete production configuration and defaults the scope", async () => {
    const { env, clientType, requestedScopes } = await loadEnv(VALID);
    expect(env.AUTH_MAKE_ISSUER).toBe("https://www.make.com");
    expect(requestedScopes()).toContain("openid");
    expect(clientType()).toBe("public");
  });

  it("treats a configured secret as a confidential client", async () => {
    const { clientType } = await loadEnv({ ...VALID, AUTH_MAKE_SECRET: "secret" });
    expect(clientType()).toBe("confidential");
  });

  for (const name of Object.keys(VALID)) {
    it(`names ${name} when it is missing`, async () => {
      await expect(loadEnv({ ...VALID, [name]: undefined })).rejects.toThrow(`${name}: is not set`);
    });
  }

  it("rejects a DATABASE_URL that is not PostgreSQL", async () => {
    await expect(loadEnv({ ...VALID, DATABASE_URL: "mysql://db/app" })).rejects.toThrow(/DATABASE_URL/);
  });

  it("rejects a scope without openid", async () => {
    await expect(loadEnv({ ...VALID, AUTH_MAKE_SCOPE: "user:read" })).rejects.toThrow(/AUTH_MAKE_SCOPE/);
  });

  it("requires the webhook secret with MAKE_EVENTS_WEBHOOK_URL, in Standard Webhooks' whsec_ form", async () => {
    const url = { ...VALID, MAKE_EVENTS_WEBHOOK_URL: "https://hooks.example.com/make" };
    await expect(loadEnv(url)).rejects.toThrow(
      /MAKE_EVENTS_WEBHOOK_SECRET: is not set \(required with MAKE_EVENTS_WEBHOOK_URL/,
    );
    await expect(loadEnv({ ...url, MAKE_EVENTS_WEBHOOK_SECRET: "hunter2" })).rejects.toThrow(/whsec_/);
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const { env } = await loadEnv({ ...url, MAKE_EVENTS_WEBHOOK_SECRET: secret });
    expect(env.MAKE_EVENTS_WEBHOOK_SECRET).toBe(secret);
    expect([env.MAKE_LAPSE_AFTER_DAYS, env.AUTH_SESSION_MAX_AGE_DAYS]).toEqual([90, 30]);
  });

  it("rejects a short AUTH_SECRET", async () => {
    await expect(loadEnv({ ...VALID, AUTH_SECRET: "short" })).rejects.toThrow(/AUTH_SECRET/);
  });
});
