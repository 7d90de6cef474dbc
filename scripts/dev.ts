/**
 * `npm run dev`: the whole app on a fresh clone with no configuration. Whatever .env does not provide is
 * supplied locally: an embedded PostgreSQL-compatible database under .data/ (migrations applied), the
 * local Make stand-in, and a generated AUTH_SECRET kept in .data/. Then `next dev` starts with that
 * environment. Anything set in the environment or .env wins, so the same command works against real Make.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import nextEnv from "@next/env";
import { applyMigrations } from "./database/migrate";
import { startEmbeddedDatabase } from "./database/embedded-postgres";
import { STAND_IN_CLIENTS, STAND_IN_USERS, startMakeStandIn } from "../make-stand-in/server";

const root = process.cwd();
const dataDir = path.join(root, ".data");
nextEnv.loadEnvConfig(root, true);
mkdirSync(dataDir, { recursive: true });

const port = Number(process.env.PORT ?? 3000);
const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
const stops: Array<() => Promise<void>> = [];

if (!env.AUTH_SECRET) {
  const secretFile = path.join(dataDir, "auth-secret");
  if (!existsSync(secretFile))
    writeFileSync(secretFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
  env.AUTH_SECRET = readFileSync(secretFile, "utf8").trim();
}

// A session-level migration lock needs a direct connection (scripts/database/migrate.ts).
let unpooled = Boolean(env.DATABASE_URL_UNPOOLED);
if (!env.DATABASE_URL) {
  const database = await startEmbeddedDatabase({
    dataDir: path.join(dataDir, "pglite"),
    port: Number(env.EMBEDDED_DB_PORT ?? 5433),
  });
  stops.push(database.close);
  env.DATABASE_URL = database.url;
  unpooled = true;
  console.log(`▸ embedded database (PGlite) in .data/pglite at ${database.url}`);
}
const { applied } = await applyMigrations(env.DATABASE_URL_UNPOOLED || env.DATABASE_URL, { unpooled });
console.log(applied.length ? `▸ applied migrations: ${applied.join(", ")}` : "▸ database schema up to date");

if (!env.AUTH_MAKE_ISSUER) {
  const standIn = await startMakeStandIn({
    port: Number(env.MAKE_STAND_IN_PORT ?? 4010),
    redirectUris: [
      `http://localhost:${port}/api/auth/callback/make`,
      `http://127.0.0.1:${port}/api/auth/callback/make`,
    ],
    quiet: true,
  });
  stops.push(standIn.close);
  Object.assign(env, {
    AUTH_MAKE_ISSUER: standIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
    // Each stand-in zone is a local origin (`127.0.0.1:4011`, `127.0.0.1:4012`): `{zone}` is its host.
    MAKE_API_URL: env.MAKE_API_URL ?? "http://{zone}/api/v2",
    MAKE_DEFAULT_ZONE: env.MAKE_DEFAULT_ZONE ?? standIn.zones[0],
    // Zone hosts outside *.make.com receive tokens only when listed.
    MAKE_ZONE_HOSTS: env.MAKE_ZONE_HOSTS ?? standIn.zones.join(","),
  });
  const logins = STAND_IN_USERS.map((user) => user.login).join(", ");
  console.log(
    `▸ local Make stand-in at ${standIn.issuer} (test users: ${logins}; password: ${STAND_IN_USERS[0]?.password})`,
  );
  console.log(`▸ its Make API zones: ${standIn.zones.join(", ")}`);
}

const next = spawn(
  process.execPath,
  [path.join(root, "node_modules/next/dist/bin/next"), "dev", "--port", String(port)],
  {
    env,
    stdio: "inherit",
  },
);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  next.kill("SIGTERM");
  for (const close of stops.reverse()) await close().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
next.on("exit", (code) => void stop(code ?? 0));
