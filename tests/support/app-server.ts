/**
 * Runs the production build (`next start`) of the app as a child process, the way users deploy it,
 * with an environment of the test's choosing. Stops with the test process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import {
  instancePort,
  SERVERLESS_PRELOAD,
  startServerlessFront,
  type ServerlessInstance,
} from "./serverless/instance";

export const TEST_DIST_DIR = ".next-test";
const root = path.resolve(import.meta.dirname, "../..");

export interface AppServer {
  url: string;
  /** Process id of `next start`, e.g. to read its memory use. */
  pid: number;
  output: () => string;
  close(): Promise<void>;
  /** Set when the server runs as a serverless instance (suspended whenever nothing is in flight). */
  instance?: ServerlessInstance;
}

export async function startAppServer(options: {
  port: number;
  env: Record<string, string>;
  /** Build folder to serve (NEXT_DIST_DIR); default the test build. */
  distDir?: string;
  /** Run as a serverless instance behind a front on `port` (tests/support/serverless/README.md). */
  serverless?: boolean;
}): Promise<AppServer> {
  // A serverless instance listens on a port of the system's choosing, behind its front on `port`.
  const listenPort = options.serverless ? 0 : options.port;
  const env: Record<string, string> = { NEXT_DIST_DIR: options.distDir ?? TEST_DIST_DIR, ...options.env };
  if (options.serverless)
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --require ${SERVERLESS_PRELOAD}`.trim();
  const server = spawnServerProcess(
    [
      path.join(root, "node_modules/next/dist/bin/next"),
      "start",
      "--port",
      String(listenPort),
      "--hostname",
      "127.0.0.1",
    ],
    { cwd: root, env, ipc: options.serverless },
  );
  const { child, output } = server;
  const serverPort = options.serverless ? await instancePort(child) : listenPort;
  const instance = options.serverless
    ? await startServerlessFront({ port: options.port, instancePort: serverPort, child })
    : undefined;

  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output()}`);
    try {
      // The server itself, not a serverless front (which would answer 502 while it starts).
      await fetch(`http://127.0.0.1:${serverPort}/`, {
        redirect: "manual",
        signal: AbortSignal.timeout(2_000),
      });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  if (!instance) return { url, pid: child.pid!, output, close: server.close };
  const close = async () => {
    instance.resume();
    await server.close();
    await instance.close();
  };
  return { url, pid: child.pid!, output, close, instance };
}

/**
 * Sends SIGUSR2 to a server started with a preloaded probe (`NODE_OPTIONS=--require …`) and waits for the
 * line the probe prints in answer, `MARKER rest`; returns the rest of that line.
 */
export async function askProbe(server: AppServer, marker: string, timeoutMs = 10_000): Promise<string> {
  const since = server.output().length;
  // Up to the newline: the output arrives in chunks, so the line may still be partial.
  const answer = new RegExp(`^${marker}(?: ([^\n]*))?\n`, "m");
  process.kill(server.pid, "SIGUSR2");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = answer.exec(server.output().slice(since));
    if (found) return found[1] ?? "";
    if (Date.now() > deadline)
      throw new Error(`the probe did not print ${marker}; is it preloaded?\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ServerProcess {
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; also killed when the test process exits. */
  close(): Promise<void>;
}

/** Spawns a production server (`next start` or a standalone `server.js`) with a clean environment. */
export function spawnServerProcess(
  args: string[],
  options: { cwd: string; env: Record<string, string>; ipc?: boolean },
): ServerProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...options.env },
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // E2E_APP_LOGS=1 shows the app's own log while the tests run.
  const echo = process.env.E2E_APP_LOGS === "1";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk) => {
      output += chunk;
      if (echo) process.stderr.write(chunk);
    });
  }
  const killOnExit = () => child.kill("SIGKILL");
  // A suspended instance never exits on SIGTERM: resumed first, it can.
  const resumeStopped = () => child.kill("SIGCONT");
  process.once("exit", killOnExit);
  return {
    child,
    output: () => output,
    close: async () => {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      if (options.ipc) resumeStopped();
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
