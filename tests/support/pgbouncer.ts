// A real PgBouncer in transaction mode in front of the tests' PostgreSQL: what Neon's and Supabase's pooled
// URLs are. Each transaction may run on a different server connection, and anything session-scoped (a
// session advisory lock, SET, a named prepared statement) outlives the client that made it. The pool is
// kept smaller than the number of clients, so their transactions really do share server connections.
//
// Debian's binary (/usr/sbin/pgbouncer, package `pgbouncer`); like PostgreSQL it refuses to run as root,
// so under root it runs as the `postgres` system user.
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { chown, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { freePort } from "./ports";
import { collectOutput, serverUser, waitUntilReady } from "./postgres";

export interface PgBouncer {
  /** The same database, user and password as `directUrl`, through the pooler. */
  pooledUrl(directUrl: string): string;
  close(): Promise<void>;
}

const INSTALL_HINT = "install PgBouncer (apt-get install pgbouncer)";

export async function startPgBouncer(
  upstreamUrl: string,
  options: { poolSize?: number } = {},
): Promise<PgBouncer> {
  const binary = findBinary();
  const upstream = new URL(upstreamUrl);
  const user = serverUser();
  const dir = await mkdtemp(path.join(tmpdir(), "make-oidc-pgbouncer-"));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const port = await freePort();
  const config = path.join(dir, "pgbouncer.ini");
  await writeFile(
    path.join(dir, "userlist.txt"),
    `"${decodeURIComponent(upstream.username || "postgres")}" ""\n`,
  );
  await writeFile(
    config,
    [
      "[databases]",
      `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      "auth_type = trust",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${options.poolSize ?? 4}`,
      "max_client_conn = 500",
      "ignore_startup_parameters = extra_float_digits",
      "",
    ].join("\n"),
  );
  if (user) {
    for (const file of [dir, config, path.join(dir, "userlist.txt")]) await chown(file, user.uid, user.gid);
  }

  const child = spawn(binary, [config], { stdio: ["ignore", "pipe", "pipe"], ...user });
  const output = collectOutput(child);
  const onExit = () => {
    child.kill("SIGKILL");
    removeDir();
  };
  process.once("exit", onExit);

  const pooledUrl = (directUrl: string) => {
    const url = new URL(directUrl);
    url.hostname = "127.0.0.1";
    url.port = String(port);
    return url.toString();
  };
  try {
    await waitUntilReady(pooledUrl(upstreamUrl), child, output, "PgBouncer");
  } catch (error) {
    process.removeListener("exit", onExit);
    child.kill("SIGKILL");
    removeDir();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    pooledUrl,
    close() {
      closing ??= (async () => {
        process.removeListener("exit", onExit);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
          child.kill("SIGTERM"); // immediate shutdown (SIGINT would wait for clients to finish)
          await exited;
        }
        removeDir();
      })();
      return closing;
    },
  };
}

function findBinary(): string {
  const candidates = ["/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer", "/usr/local/bin/pgbouncer"];
  candidates.push(
    ...(process.env.PATH ?? "")
      .split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.join(dir, "pgbouncer")),
  );
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`No pgbouncer binary found: ${INSTALL_HINT}.`);
  return found;
}
