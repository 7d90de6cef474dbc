/**
 * The build's standalone output (NEXT_OUTPUT=standalone: the files Next traces for each function, which is
 * also what Vercel deploys) copied alone into an empty directory, the way a container image or a function
 * bundle holds it: `server.js`, the traced `node_modules`, the static files and `public/`. No project
 * `node_modules` is reachable from there, so a file the tracer missed fails the server, not the test.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { spawnServerProcess, TEST_DIST_DIR } from "./app-server";

const root = path.resolve(import.meta.dirname, "../..");

export interface StandaloneCopy {
  dir: string;
  /** Bytes of every file in the copy (the traced function, its static files and public/). */
  bytes: number;
  remove(): Promise<void>;
}

export async function copyStandalone(distDir = TEST_DIST_DIR): Promise<StandaloneCopy> {
  const standalone = path.join(root, distDir, "standalone");
  if (!existsSync(path.join(standalone, "server.js"))) {
    throw new Error(`${standalone}/server.js is missing: build with NEXT_OUTPUT=standalone first.`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "make-oidc-standalone-"));
  const ancestors = path
    .dirname(dir)
    .split(path.sep)
    .map((_, i, parts) => parts.slice(0, i + 1).join(path.sep) || "/");
  const reachable = ancestors.find((ancestor) => existsSync(path.join(ancestor, "node_modules")));
  if (reachable) throw new Error(`${reachable}/node_modules would be reachable from the standalone copy.`);

  await cp(standalone, dir, { recursive: true, verbatimSymlinks: true });
  await cp(path.join(root, distDir, "static"), path.join(dir, distDir, "static"), { recursive: true });
  if (existsSync(path.join(root, "public")))
    await cp(path.join(root, "public"), path.join(dir, "public"), { recursive: true });
  return { dir, bytes: await sizeOf(dir), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface StandaloneServer {
  url: string;
  child: ChildProcess;
  output(): string;
  close(): Promise<void>;
}

/** Starts `node server.js` of a copy; resolves at once (the caller waits for the first response it needs). */
export function spawnStandalone(
  dir: string,
  options: { port: number; env: Record<string, string> },
): StandaloneServer {
  const server = spawnServerProcess([path.join(dir, "server.js")], {
    cwd: dir,
    env: { PORT: String(options.port), HOSTNAME: "127.0.0.1", NEXT_TELEMETRY_DISABLED: "1", ...options.env },
  });
  return { url: `http://127.0.0.1:${options.port}`, ...server };
}

/** Requests `url` until the server answers (any status), retrying while it is not listening yet. */
export async function firstResponse(
  server: StandaloneServer,
  url: string,
  init: RequestInit = {},
): Promise<Response> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.child.exitCode !== null)
      throw new Error(`server.js exited with ${server.child.exitCode}:\n${server.output()}`);
    try {
      return await fetch(url, { redirect: "manual", ...init });
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`server.js did not answer ${url}: ${String(error)}\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

async function sizeOf(target: string): Promise<number> {
  const info = await lstat(target);
  if (!info.isDirectory()) return info.size;
  const entries = await readdir(target);
  const sizes = await Promise.all(entries.map((entry) => sizeOf(path.join(target, entry))));
  return sizes.reduce((sum, size) => sum + size, 0);
}
