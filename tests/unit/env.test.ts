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

  it("rejects a short AUTH_SECRET", async () => {
    await expect(loadEnv({ ...VALID, AUTH_SECRET: "short" })).rejects.toThrow(/AUTH_SECRET/);
  });
});
