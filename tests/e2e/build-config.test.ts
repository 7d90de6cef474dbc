/**
 * A wrong configuration fails `next build`, naming the variable, wherever the deployment's variables are
 * present at build time: always on Vercel (VERCEL=1), and in any build that sets one of them. A
 * Docker-style build with none of them, or with SKIP_ENV_VALIDATION=1, goes on to compile. The check runs
 * before compiling, so each case stops the build there rather than building the app again.
 */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const DIST_DIR = ".next-build-config-test";
const COMPILING = "Creating an optimized production build";

const configured = {
  DATABASE_URL: "postgresql://app@127.0.0.1:5432/app",
  AUTH_SECRET: "x".repeat(40),
  AUTH_MAKE_ISSUER: "https://www.make.com",
  AUTH_MAKE_ID: "client-id",
  CRON_SECRET: "c".repeat(32),
};

afterAll(() => rm(path.join(root, DIST_DIR), { recursive: true, force: true }));

/** `next build` with exactly `env`, stopped as soon as it starts compiling (the configuration check passed). */
function buildUntilCompiling(
  env: Record<string, string>,
): Promise<{ compiling: boolean; code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        NEXT_DIST_DIR: DIST_DIR,
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so the build's workers stop with it
    });
    let output = "";
    let compiling = false;
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (!compiling && output.includes(COMPILING)) {
        compiling = true;
        process.kill(-child.pid!, "SIGKILL");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => resolve({ compiling, code, output }));
  });
}

describe("next build checks the configuration", () => {
  it("fails on Vercel when AUTH_MAKE_ID is missing, naming it", async () => {
    const { AUTH_MAKE_ID: _missing, ...rest } = configured;
    const result = await buildUntilCompiling({ ...rest, VERCEL: "1" });
    expect(result.compiling, result.output).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("AUTH_MAKE_ID: is not set");
  });

  it("fails on Vercel when CRON_SECRET is missing, naming it", async () => {
    const { CRON_SECRET: _missing, ...rest } = configured;
    const result = await buildUntilCompiling({ ...rest, VERCEL: "1" });
    expect(result.compiling, result.output).toBe(false);
    expect(result.output).toContain("CRON_SECRET: is not set");
  });

  it("fails anywhere when the runtime variables are present and one is malformed, naming it", async () => {
    const result = await buildUntilCompiling({ ...configured, DATABASE_URL: "mysql://db/app" });
    expect(result.compiling, result.output).toBe(false);
    expect(result.output).toContain("DATABASE_URL: must be a postgresql:// connection string");
  });

  it("compiles a Docker-style build that sets none of the runtime variables", async () => {
    const result = await buildUntilCompiling({});
    expect(result.compiling, result.output).toBe(true);
  });

  it("compiles with SKIP_ENV_VALIDATION=1 whatever is missing", async () => {
    const { AUTH_MAKE_ID: _missing, ...rest } = configured;
    const result = await buildUntilCompiling({ ...rest, VERCEL: "1", SKIP_ENV_VALIDATION: "1" });
    expect(result.compiling, result.output).toBe(true);
  });
});
