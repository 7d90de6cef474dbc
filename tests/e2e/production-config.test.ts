import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_DIST_DIR } from "../support/app-server";
import { freePort } from "../support/ports";

const root = path.resolve(import.meta.dirname, "../..");

/** Runs `next start` on the production build with exactly the given environment until it exits (or 20 s). */
async function startWith(env: Record<string, string>) {
  const port = await freePort();
  return spawnSync(
    process.execPath,
    [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: root,
      env: { PATH: process.env.PATH, NODE_ENV: "production", NEXT_DIST_DIR: TEST_DIST_DIR, ...env },
      encoding: "utf8",
      timeout: 20_000,
    },
  );
}

describe("production configuration", () => {
  it("refuses to start without the required variables, naming each", async () => {
    const result = await startWith({});
    expect(result.status).toBe(1);
    for (const name of ["DATABASE_URL", "AUTH_SECRET", "AUTH_MAKE_ISSUER", "AUTH_MAKE_ID"]) {
      expect(result.stderr + result.stdout).toContain(`${name}: is not set`);
    }
  });

  it("refuses a malformed value and says what is wrong with it", async () => {
    const result = await startWith({
      DATABASE_URL: "mysql://db/app",
      AUTH_SECRET: "x".repeat(40),
      AUTH_MAKE_ISSUER: "https://www.make.com",
      AUTH_MAKE_ID: "client",
    });
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toContain(
      "DATABASE_URL: must be a postgresql:// connection string",
    );
  });
});
