// A real PostgreSQL server for tests. The embedded development database (PGlite) is one shared session, so
// locking, isolation and concurrency can only be tested here.
//
// - TEST_DATABASE_URL set: that server is used; each caller gets its own freshly created database, dropped
//   on close (the role needs CREATEDB).
// - otherwise: a throwaway cluster is initdb'ed in a temp dir from Debian's binaries
//   (/usr/lib/postgresql/<newest>/bin, or initdb/postgres on PATH), started on a free loopback port with
//   durability off (tests never need it, and fsync dominates their run time), and removed on close.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { chown, mkdtemp } from "node:fs/promises";
import { freePort } from "./ports";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";

import { applyMigrations } from "../../scripts/database/migrate";

export interface TestPostgres {
  /** Connection string of a database the caller may use freely (and create databases from). */
  url: string;
  close(): Promise<void>;
}

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

const INSTALL_HINT = "install PostgreSQL (apt-get install postgresql) or set TEST_DATABASE_URL";

export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.TEST_DATABASE_URL?.trim();
  if (external) {
    const database = await freshDatabase(external, { migrate: false });
    return { url: database.url, close: database.drop };
  }
  return startLocalCluster();
}

/**
 * Creates a uniquely named database on the server of `baseUrl` (connecting to `baseUrl` to do so) and, unless
 * `migrate: false`, applies prisma/migrations to it. Gives each test file its own schema state.
 */
export async function freshDatabase(
  baseUrl: string,
  options: { migrate?: boolean } = {},
): Promise<FreshDatabase> {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withClient(baseUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrl(baseUrl, name);

  const drop = async () => {
    await withClient(baseUrl, async (client) => {
      // Leftover connections (a pool a failing test did not end) would make DROP DATABASE fail.
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    });
  };

  if (options.migrate ?? true) {
    try {
      await applyMigrations(url, { unpooled: true });
    } catch (error) {
      await drop();
      throw error;
    }
  }
  return { url, drop };
}

export function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** Another client program of the same PostgreSQL installation, e.g. `pg_dump`. */
export function postgresTool(name: string): string {
  return path.join(path.dirname(findBinaries().postgres), name);
}

function findBinaries(): Binaries {
  const candidates: string[] = [];
  const debianRoot = "/usr/lib/postgresql";
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((entry) => /^\d+(\.\d+)?$/.test(entry))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    candidates.push(...versions.map((version) => path.join(debianRoot, version, "bin")));
  }
  // Elsewhere (Homebrew, other distributions) the server binaries are usually on PATH.
  candidates.push(...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean));

  for (const dir of candidates) {
    const initdb = path.join(dir, "initdb");
    const postgres = path.join(dir, "postgres");
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  throw new Error(`No PostgreSQL server binaries (initdb, postgres) found: ${INSTALL_HINT}.`);
}

// PostgreSQL refuses to run as root. Under root the cluster belongs to the `postgres` system user that
// Debian's package creates; Node's spawn uid/gid switch to it directly, so the child we hold is the
// postmaster itself (no runuser in between to forward signals).
/** Root may not run PostgreSQL's servers: they run as the `postgres` system user (undefined when not root). */
export function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) {
    throw new Error(
      `Running as root, and there is no 'postgres' system user to run the server as: ${INSTALL_HINT}.`,
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

async function startLocalCluster(): Promise<TestPostgres> {
  const binaries = findBinaries();
  const user = serverUser();
  const dir = await mkdtemp(path.join(tmpdir(), "make-oidc-pg-"));
  const dataDir = path.join(dir, "data");
  const removeDir = () => rmSync(dir, { recursive: true, force: true });

  try {
    if (user) await chown(dir, user.uid, user.gid);
    await run(
      binaries.initdb,
      ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
      user,
    );
  } catch (error) {
    removeDir();
    throw error;
  }

  // A free port can be taken between probing and binding; try again with another one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = spawn(
      binaries.postgres,
      [
        "-D",
        dataDir,
        "-k",
        dir, // Unix socket in our own dir, not /var/run/postgresql (may not exist or be writable)
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-F", // fsync off
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=200",
      ],
      { stdio: ["ignore", "pipe", "pipe"], detached: false, env: serverEnv(), ...user },
    );
    const output = collectOutput(server);
    // If the test process exits without close(), don't leave a server behind. 'exit' handlers must be
    // synchronous: ask for an immediate shutdown and remove the files (Linux lets them go once closed).
    const onExit = () => {
      server.kill("SIGQUIT");
      removeDir();
    };
    process.once("exit", onExit);

    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    try {
      await waitUntilReady(url, server, output);
    } catch (error) {
      process.removeListener("exit", onExit);
      await stop(server);
      if (attempt < 3 && /could not bind|address already in use/i.test(output())) continue;
      removeDir();
      throw error;
    }

    let closing: Promise<void> | undefined;
    return {
      url,
      close() {
        closing ??= (async () => {
          process.removeListener("exit", onExit);
          await stop(server);
          removeDir();
        })();
        return closing;
      },
    };
  }
}

function serverEnv(): NodeJS.ProcessEnv {
  // PG* variables of the developer's shell (PGDATA, PGPORT...) must not steer the test cluster.
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C", LANG: "C" };
  for (const key of Object.keys(env)) if (key.startsWith("PG")) delete env[key];
  return env;
}

function run(command: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: serverEnv(), ...user });
    const output = collectOutput(child);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} failed (${signal ?? `exit ${code}`}):\n${output()}`));
    });
  });
}

export function collectOutput(child: ChildProcess): () => string {
  let text = "";
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-8000); // the tail is what explains a failure
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text;
}

/** Connects to `url` until `SELECT 1` works; fails early when the server process has exited. */
export async function waitUntilReady(
  url: string,
  server: ChildProcess,
  output: () => string,
  name = "PostgreSQL",
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`${name} exited during startup:\n${output()}`);
    }
    try {
      await withClient(url, (client) => client.query("SELECT 1"));
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`${name} did not accept connections within 30 s: ${String(error)}\n${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  server.kill("SIGINT"); // "fast" shutdown: disconnect clients, roll back, stop
  const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
