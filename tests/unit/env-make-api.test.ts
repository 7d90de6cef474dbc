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
  for (const name of ["MAKE_API_URL", "MAKE_DEFAULT_ZONE", "AUTH_MAKE_NONCE", "AUTH_MAKE_SCOPE"])
    vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries({ ...VALID, ...vars })) vi.stubEnv(name, value);
  return (await import("@/lib/env")).env;
}

describe("environment: Make's API", () => {
  it("defaults to every zone's own API, eu1 for user-level data, no nonce, and the scenarios page's scopes", async () => {
    const env = await loadEnv({});
    expect(env.MAKE_API_URL).toBe("https://{zone}/api/v2");
    expect(env.MAKE_DEFAULT_ZONE).toBe("eu1.make.com");
    expect(env.AUTH_MAKE_NONCE).toBe(false);
    expect(env.AUTH_MAKE_SCOPE.split(" ")).toEqual(expect.arrayContaining(["teams:read", "scenarios:read"]));
  });

  it("accepts a {zone} template, a fixed URL and a local zone host with a port", async () => {
    expect(
      (await loadEnv({ MAKE_API_URL: "http://{zone}/api/v2", MAKE_DEFAULT_ZONE: "127.0.0.1:4011" }))
        .MAKE_DEFAULT_ZONE,
    ).toBe("127.0.0.1:4011");
    expect((await loadEnv({ MAKE_API_URL: "https://eu2.make.com/api/v2" })).MAKE_API_URL).toBe(
      "https://eu2.make.com/api/v2",
    );
  });

  it("names MAKE_API_URL and MAKE_DEFAULT_ZONE when they are malformed", async () => {
    await expect(loadEnv({ MAKE_API_URL: "https://{zone}" })).rejects.toThrow(/MAKE_API_URL/);
    await expect(loadEnv({ MAKE_API_URL: "not a url" })).rejects.toThrow(/MAKE_API_URL/);
    await expect(loadEnv({ MAKE_DEFAULT_ZONE: "https://eu1.make.com/" })).rejects.toThrow(
      /MAKE_DEFAULT_ZONE/,
    );
  });
  it("refuses plain http for Make's issuer and API in production, except to a loopback host", async () => {
    const production = { NODE_ENV: "production" };
    await expect(loadEnv({ ...production, AUTH_MAKE_ISSUER: "http://www.make.com" })).rejects.toThrow(
      /AUTH_MAKE_ISSUER: must be https in production/,
    );
    await expect(loadEnv({ ...production, MAKE_API_URL: "http://eu1.make.com/api/v2" })).rejects.toThrow(
      /MAKE_API_URL: must be https in production/,
    );
    const local = await loadEnv({
      ...production,
      AUTH_MAKE_ISSUER: "http://localhost:4010",
      MAKE_API_URL: "http://{zone}/api/v2",
    });
    expect(local.AUTH_MAKE_ISSUER).toBe("http://localhost:4010");
    expect((await loadEnv({ AUTH_MAKE_ISSUER: "http://make.example" })).AUTH_MAKE_ISSUER).toBe(
      "http://make.example",
    );
  });
});
