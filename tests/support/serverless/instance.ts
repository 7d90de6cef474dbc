/**
 * The platform in front of a serverless instance: an HTTP front on the app's public port that resumes the
 * instance (SIGCONT) before it forwards a request, and suspends it (SIGSTOP) once nothing is in flight and
 * no registered work is pending. `discard()` kills it, as the platform may. README.md beside it says what
 * this models and what it does not.
 */
import type { ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";

/** Preload for the instance: NODE_OPTIONS=--require <this>, with an IPC channel to the controller. */
export const SERVERLESS_PRELOAD = path.join(import.meta.dirname, "preload.cjs");

export interface ServerlessInstance {
  /** True while the instance is suspended. */
  frozen(): boolean;
  /** How many times it was suspended so far. */
  freezes(): number;
  /** Resolves once the instance is suspended (everything it registered has ended). */
  frozenWithin(timeoutMs: number): Promise<void>;
  /** Calls `listener` at every suspension from now on; returns a function that stops it. */
  onFreeze(listener: () => void): () => void;
  /** Whether the instance was suspended at `time` (a Date.now() value of this process). */
  wasFrozenAt(time: number): boolean;
  /** The platform discards the instance: killed where it stands, its pending work lost. */
  discard(): Promise<void>;
  /** Stops the front (the instance itself is closed by its owner, after `resume`). */
  close(): Promise<void>;
  /** Resumes the instance without a request, e.g. before stopping it. */
  resume(): void;
}

type StateMessage = { serverless: "state"; answer: number | null; requests: number; work: number };
const isState = (message: unknown): message is StateMessage =>
  typeof message === "object" && message !== null && (message as StateMessage).serverless === "state";

// Hop-by-hop headers are the front's own business on each side.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade"]);

function endToEnd(rawHeaders: string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2)
    if (!HOP_BY_HOP.has(rawHeaders[index]!.toLowerCase()))
      kept.push(rawHeaders[index]!, rawHeaders[index + 1]!);
  return kept;
}

/** The port the instance (started with `--port 0` and the preload) listens on, once it does. */
export function instancePort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const listening = (message: unknown) => {
      const { serverless, port } = (message ?? {}) as { serverless?: string; port?: number };
      if (serverless !== "listening" || !port) return;
      child.off("message", listening);
      child.off("exit", exited);
      resolve(port);
    };
    const exited = () => reject(new Error("the serverless instance exited before it listened"));
    child.on("message", listening);
    child.once("exit", exited);
  });
}

export async function startServerlessFront(options: {
  /** The public port, where clients connect. */
  port: number;
  /** The port the instance listens on. */
  instancePort: number;
  child: ChildProcess;
}): Promise<ServerlessInstance> {
  const { child } = options;
  let outstanding = 0;
  let question = 0;
  let frozen = false;
  let freezes = 0;
  let discarded = false;
  const onFreeze = new Set<() => void>();
  /** Every suspension so far, as [from, to) in Date.now() time; `to` is open while it lasts. */
  const suspensions: Array<{ from: number; to?: number }> = [];
  const alive = () => !discarded && child.exitCode === null && child.signalCode === null;

  const resume = () => {
    if (!frozen || !alive()) return;
    frozen = false;
    suspensions.at(-1)!.to = Date.now();
    process.kill(child.pid!, "SIGCONT");
  };
  const freeze = () => {
    if (frozen || !alive()) return;
    frozen = true;
    freezes += 1;
    process.kill(child.pid!, "SIGSTOP");
    suspensions.push({ from: Date.now() });
    for (const listener of onFreeze) listener();
  };
  // Asked after every response and whenever the instance says it went idle: only the answer to the latest
  // question counts, so a request that came and went after an older answer is never overlooked.
  const ask = () => {
    if (outstanding === 0 && alive() && child.connected) child.send({ serverless: "ask", id: ++question });
  };
  child.on("message", (message) => {
    if (!isState(message)) return;
    if (message.answer === null) return ask();
    if (message.answer !== question || outstanding > 0) return;
    if (message.requests === 0 && message.work === 0) freeze();
  });

  // A connection per request: a kept-alive one may be closed by the instance's idle timer the moment it
  // resumes, while the front is sending on it.
  const agent = new http.Agent({ keepAlive: false });
  const front = http.createServer((request, response) => {
    outstanding += 1;
    resume();
    response.once("close", () => {
      outstanding -= 1;
      ask();
    });
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: options.instancePort,
        method: request.method,
        path: request.url,
        headers: endToEnd(request.rawHeaders),
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
        answer.pipe(response);
      },
    );
    upstream.on("error", (error) => {
      if (process.env.SERVERLESS_DEBUG) console.error("front:", error);
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end("the serverless instance is gone");
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(options.port, "127.0.0.1", resolve));

  return {
    frozen: () => frozen,
    freezes: () => freezes,
    wasFrozenAt: (time) =>
      suspensions.some((suspension) => suspension.from <= time && time < (suspension.to ?? Infinity)),
    onFreeze: (listener) => {
      onFreeze.add(listener);
      return () => onFreeze.delete(listener);
    },
    resume,
    frozenWithin: (timeoutMs) =>
      new Promise((resolve, reject) => {
        if (frozen) return resolve();
        const timer = setTimeout(() => {
          onFreeze.delete(done);
          reject(new Error(`the serverless instance did not freeze within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          onFreeze.delete(done);
          resolve();
        };
        onFreeze.add(done);
      }),
    discard: async () => {
      discarded = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    close: async () => {
      agent.destroy();
      front.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
    },
  };
}
