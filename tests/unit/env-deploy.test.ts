// The deployment variables of lib/env.ts: the redirect proxy URL, the direct database URL and the cron
// secret, which Vercel requires.
import { describe, expect, it, vi } from "vitest";

const VALID = {
  DATABASE_URL: "postgresql://user:pw@pooler.example.com:6543/app",
  AUTH_SECRET: "x".repeat(40),
  AUTH_MAKE_ISSUER: "https://www.make.com",
  AUTH_MAKE_ID: "client-id",
};
const DEPLOYMENT = [
  "VERCEL",
  "VERCEL_ENV",
  "VERCEL_URL",
  "VERCEL_BRANCH_URL",
  "VERCEL_PROJECT_PRODUCTION_URL",
  "CRON_SECRET",
  "AUTH_URL",
  "AUTH_TRUST_HOST",
  "AUTH_REDIRECT_PROXY_URL",
  "AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS",
  "TOKEN_ENCRYPTION_KEY",
  "DATABASE_URL_UNPOOLED",
];
const PROXY = "https://app.example.com/api/auth";
const KEY = "k".repeat(40);

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
    const { env } = await loadEnv({
      ...VALID,
      AUTH_REDIRECT_PROXY_URL: PROXY,
      AUTH_URL: "https://preview.example.com",
    });
    expect(env.AUTH_REDIRECT_PROXY_URL).toBe(PROXY);
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

  it("requires AUTH_URL off Vercel once the redirect proxy is on, and names it", async () => {
    await expect(loadEnv({ ...VALID, AUTH_REDIRECT_PROXY_URL: PROXY })).rejects.toThrow(
      /AUTH_URL: is not set \(required with AUTH_REDIRECT_PROXY_URL off Vercel/,
    );
    // On Vercel a preview's URL comes from Vercel's own variables instead.
    const { env, deploymentUrl } = await loadEnv({
      ...VALID,
      AUTH_REDIRECT_PROXY_URL: PROXY,
      VERCEL: "1",
      VERCEL_ENV: "preview",
      CRON_SECRET: "c".repeat(32),
      VERCEL_URL: "app-abc123def-team.vercel.app",
      VERCEL_BRANCH_URL: "app-git-feature-team.vercel.app",
    });
    expect(env.AUTH_URL).toBeUndefined();
    expect(deploymentUrl()).toBe("https://app-git-feature-team.vercel.app");
  });

  it("requires TOKEN_ENCRYPTION_KEY in production with the redirect proxy, naming it", async () => {
    const vercelProduction = {
      ...VALID,
      AUTH_REDIRECT_PROXY_URL: PROXY,
      VERCEL: "1",
      VERCEL_ENV: "production",
      CRON_SECRET: "c".repeat(32),
    };
    await expect(loadEnv(vercelProduction)).rejects.toThrow(
      /TOKEN_ENCRYPTION_KEY: is not set \(required in production with AUTH_REDIRECT_PROXY_URL/,
    );
    // Off Vercel, the stable deployment is the one whose AUTH_URL is the proxy's origin.
    const stable = { ...VALID, AUTH_REDIRECT_PROXY_URL: PROXY, AUTH_URL: "https://app.example.com" };
    await expect(loadEnv(stable)).rejects.toThrow(/TOKEN_ENCRYPTION_KEY: is not set/);
    expect((await loadEnv({ ...vercelProduction, TOKEN_ENCRYPTION_KEY: KEY })).env.TOKEN_ENCRYPTION_KEY).toBe(
      KEY,
    );
    expect((await loadEnv({ ...stable, TOKEN_ENCRYPTION_KEY: KEY })).env.TOKEN_ENCRYPTION_KEY).toBe(KEY);
    // A preview, and a deployment without the proxy, may still derive the key from AUTH_SECRET.
    const preview = { ...VALID, AUTH_REDIRECT_PROXY_URL: PROXY, AUTH_URL: "https://preview.example.com" };
    expect((await loadEnv(preview)).env.TOKEN_ENCRYPTION_KEY).toBeUndefined();
    expect(
      (await loadEnv({ ...VALID, VERCEL: "1", VERCEL_ENV: "production", CRON_SECRET: "c".repeat(32) })).env
        .TOKEN_ENCRYPTION_KEY,
    ).toBeUndefined();
  });

  it("asks for TOKEN_ENCRYPTION_KEY in the README's Deploy button", async () => {
    const { readFile } = await import("node:fs/promises");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const button = /https:\/\/vercel\.com\/new\/clone\?[^)\s]+/.exec(readme)?.[0];
    expect(button).toBeDefined();
    const asked = new URL(button!).searchParams.get("env")?.split(",");
    expect(asked).toContain("TOKEN_ENCRYPTION_KEY");
  });

  it("reads AUTH_TRUST_HOST as Auth.js does, except that false means false", async () => {
    const production = { ...VALID, NODE_ENV: "production" };
    expect((await loadEnv(production)).trustHost()).toBe(false);
    expect((await loadEnv({ ...production, AUTH_TRUST_HOST: "true" })).trustHost()).toBe(true);
    expect((await loadEnv({ ...production, AUTH_URL: "https://app.example.com" })).trustHost()).toBe(true);
    expect((await loadEnv({ ...VALID, NODE_ENV: "development", AUTH_TRUST_HOST: "false" })).trustHost()).toBe(
      false,
    );
    expect((await loadEnv({ ...VALID, NODE_ENV: "development" })).trustHost()).toBe(true);
  });
});
