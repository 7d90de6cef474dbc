/**
 * `npm run make:doctor` against the local stand-in: every check passes on a healthy setup, and each
 * failure mode fails its own line and the exit code: a wrong secret, a wrong issuer, an unreachable
 * issuer, scopes without openid, a database not migrated, an encryption key that cannot be used; with
 * `--user`, the user's connection and each organization's zone as Make answers them.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startMakeStandIn, STAND_IN_CLIENTS, type MakeStandIn } from "@/make-stand-in/server";
import { discover, signInTokens } from "../support/make-code-flow";
import { freshDatabase, type FreshDatabase } from "../support/postgres";
import { TEST_AUTH_SECRET } from "../support/stack";
import { testTuning } from "../support/test-tuning";

const root = path.resolve(import.meta.dirname, "../..");
let standIn: MakeStandIn;
let database: FreshDatabase;

function doctor(env: Record<string, string | undefined>, args: string[] = []) {
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    AUTH_SECRET: TEST_AUTH_SECRET,
    AUTH_URL: "http://127.0.0.1:3999",
    AUTH_MAKE_ISSUER: standIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
    MAKE_API_URL: "http://{zone}/api/v2",
    MAKE_DEFAULT_ZONE: standIn.zones[0]!,
    MAKE_ZONE_HOSTS: standIn.zones.join(","),
    ...testTuning({ TOKEN_TIMEOUT_MS: 2000 }),
  };
  const merged = Object.fromEntries(
    Object.entries({ ...base, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", "./scripts/server-only-hook.mjs", "scripts/make-doctor.ts", ...args],
    { cwd: root, env: merged as NodeJS.ProcessEnv },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise<{ code: number | null; output: string; line: (name: string) => string }>((resolve) =>
    child.on("exit", (code) =>
      resolve({
        code,
        output,
        line: (name) => output.split("\n").find((line) => line.slice(2).startsWith(`${name}:`)) ?? "",
      }),
    ),
  );
}

beforeAll(async () => {
  [standIn, database] = await Promise.all([
    startMakeStandIn({ port: 0, quiet: true }),
    freshDatabase(inject("postgresUrl")),
  ]);
});
afterAll(async () => {
  await standIn?.close();
  await database?.drop();
});

/**
 * A user with a connected Make account, stored the way the app stores it (through its encrypted client),
 * with tokens the stand-in issued to `login`.
 */
async function storeConnectedUser(options: {
  email: string;
  login?: string;
  sub: string;
  account?: { lastError?: string };
}) {
  const tokens = await signInTokens(await discover(standIn), {
    client: "confidential",
    login: options.login,
    scope: "openid user:read organizations:read teams:read scenarios:read",
  });
  const { vi } = await import("vitest");
  vi.stubEnv("DATABASE_URL", database.url);
  vi.stubEnv("AUTH_SECRET", TEST_AUTH_SECRET);
  vi.stubEnv("AUTH_MAKE_ISSUER", standIn.issuer);
  vi.stubEnv("AUTH_MAKE_ID", STAND_IN_CLIENTS.confidential.clientId);
  vi.resetModules();
  const { db } = await import("@/lib/db");
  const user = await db.user.create({ data: { email: options.email } });
  await db.account.create({
    data: {
      userId: user.id,
      type: "oidc",
      provider: "make",
      providerAccountId: options.sub,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      expires_at: Math.floor(Date.now() / 1000) + 300,
      clientType: "confidential",
      ...options.account,
    },
  });
  return { db, user, vi };
}

describe("make:doctor", () => {
  it("names the starter and its version (package.json's) on its first line, even before a configuration error", async () => {
    const { name, version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const result of [await doctor({}), await doctor({ AUTH_MAKE_SCOPE: "user:read" })])
      expect(result.output.split("\n")[0]).toBe(`${name} ${version}`);
  });

  it("passes every check on a healthy setup and prints the callback URL to register", async () => {
    const result = await doctor({});
    expect(result.output).toContain("✓ discovery:");
    expect(result.line("client credentials")).toMatch(/^✓ .*accepted/);
    expect(result.line("scopes")).toMatch(/^✓ /);
    expect(result.line("callback URL")).toContain("http://127.0.0.1:3999/api/auth/callback/make");
    expect(result.line("database")).toMatch(/^✓ .*migrations applied/);
    expect(result.line("encryption keys")).toMatch(/^✓ /);
    expect(result.output).toContain("All checks passed.");
    expect(result.code).toBe(0);
  });

  it("fails the client check on a wrong secret (invalid_client)", async () => {
    const result = await doctor({ AUTH_MAKE_SECRET: "not-the-secret" });
    expect(result.line("client credentials")).toMatch(/^✗ .*invalid_client/);
    expect(result.line("discovery")).toMatch(/^✓ /);
    expect(result.code).toBe(1);
  });

  it("fails discovery when the issuer does not match exactly", async () => {
    const issuer = standIn.issuer.replace("localhost", "127.0.0.1");
    const result = await doctor({ AUTH_MAKE_ISSUER: issuer });
    expect(result.line("discovery")).toMatch(/^✗ issuer: .*must match exactly|^✗ discovery: issuer is/);
    expect(result.code).toBe(1);
  });

  it("fails discovery when Make cannot be reached", async () => {
    const result = await doctor({ AUTH_MAKE_ISSUER: "http://127.0.0.1:9" });
    expect(result.line("discovery")).toMatch(/^✗ .*unreachable/);
    expect(result.line("client credentials")).toMatch(/^✗ /);
    expect(result.code).toBe(1);
  });

  it("fails when the scopes lack openid or name no Make scope", async () => {
    const noOpenid = await doctor({ AUTH_MAKE_SCOPE: "user:read" });
    expect(noOpenid.output).toMatch(/✗ configuration: .*AUTH_MAKE_SCOPE: must include openid/s);
    expect(noOpenid.code).toBe(1);
    const unknown = await doctor({ AUTH_MAKE_SCOPE: "openid user:read scenarios:fly" });
    expect(unknown.line("scopes")).toMatch(/^✗ .*scenarios:fly/);
    expect(unknown.code).toBe(1);
  });

  it("fails the database check when it is not migrated", async () => {
    const empty = await freshDatabase(inject("postgresUrl"), { migrate: false });
    try {
      const result = await doctor({ DATABASE_URL: empty.url });
      expect(result.line("database")).toMatch(/^✗ database: not migrated/);
      expect(result.code).toBe(1);
    } finally {
      await empty.drop();
    }
  });

  it("fails the key check on an encryption key too short to use", async () => {
    const result = await doctor({ TOKEN_ENCRYPTION_KEY: "short" });
    expect(result.line("encryption keys")).toMatch(/^✗ .*at least 32 characters/);
    expect(result.code).toBe(1);
  });

  it("with --user, reports the connection, the granted scopes and each organization's zone", async () => {
    const { db, user, vi } = await storeConnectedUser({ email: "ada@example.com", sub: "1001" });
    await db.makeObservation.create({ data: { fact: "refresh.rotation", value: "rotated" } });
    await db.$disconnect();
    vi.unstubAllEnvs();

    const healthy = await doctor({}, ["--user", "ada@example.com"]);
    expect(healthy.line("connection")).toMatch(/^✓ connection: Make user 1001, active/);
    expect(healthy.line("granted scopes")).toContain("scenarios:read");
    expect(healthy.line("organization 5001")).toMatch(/^✓ .*reachable/);
    expect(healthy.line("organization 5011")).toMatch(/^✓ .*reachable/);
    expect(healthy.output).toContain("refresh token in a refresh answer: rotated");
    expect(healthy.code).toBe(0);

    standIn.controls.configure({ rejectingZones: [standIn.zones[1]!] });
    const refused = await doctor({}, ["--user", user.id]);
    expect(refused.line("organization 5011")).toMatch(/^✗ .*zone_refused/);
    expect(refused.line("organization 5001")).toMatch(/^✓ /);
    expect(refused.code).toBe(1);
    standIn.controls.reset();

    const nobody = await doctor({}, ["--user", "nobody@example.com"]);
    expect(nobody.line("user")).toMatch(/^✗ user: no user/);
    expect(nobody.code).toBe(1);
  });
  it("prints the names Make gives without their terminal escape sequences", async () => {
    const { db, vi } = await storeConnectedUser({
      email: "mallory@example.com",
      login: "mallory",
      sub: "1003",
      account: { lastError: "\u001b[2K\rAll checks passed" },
    });
    await db.$disconnect();
    vi.unstubAllEnvs();

    const result = await doctor({}, ["--user", "mallory@example.com"]);
    expect(result.line("organization 5006")).toContain("Mallory Labs");
    expect(result.output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
