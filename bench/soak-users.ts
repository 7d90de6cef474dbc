/**
 * The soak's users: signed in without a browser (bench/sign-in.ts), then each browsing `/dashboard` and
 * `/dashboard/scenarios` (now and then both at once) with a pause between views, through a small load
 * balancer that spreads their requests over both servers and, like a real one, resends a request whose
 * connection was refused (nothing was sent) to the other server. Every answer is recorded and sorted into
 * the kinds bench/soak-report.ts judges.
 */
import http from "node:http";

import { numberedUserLogin, numberedUserSub, SHARED_ORGANIZATION_ID } from "../make-stand-in/server";
import { get } from "./load";
import { signInWithMake } from "./sign-in";
import type { SoakServer, SoakStack } from "./soak-stack";

export interface SoakUser {
  login: string;
  /** The Make user id. */
  sub: string;
  cookie: string;
}

export const PAGES = ["/dashboard", "/dashboard/scenarios"] as const;
/** The share of views that open both pages at once. */
const TWO_TABS = 0.25;
export type Page = (typeof PAGES)[number];

/**
 * What a response was:
 * - `ok`: the page as documented for a healthy connection (state `active`, the identity, the scenarios);
 * - `degraded`: the page with the connection panel `active` and, in place of what needed Make, one of
 *   the documented notices (`reason`: `make_unavailable`, `refresh_busy`, …);
 * - `error_page`: the page whose server rendering failed: Next sends the error's digest in place of the
 *   failed part (the whole page with a 500, or a streamed part of a 200), and the browser renders the
 *   app's "temporarily unavailable" page (app/error.tsx) there;
 * - `cut`: the connection broke mid-request (the server died);
 * - `other`: anything else (a redirect to sign-in, another state, a timeout…), described in `reason`.
 */
export type AnswerKind = "ok" | "degraded" | "error_page" | "cut" | "other";

export interface SoakRequest {
  user: string;
  page: Page;
  server: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  kind: AnswerKind;
  reason?: string;
  /** Resent to the other server after a refused connection. */
  rerouted: boolean;
  /** The body of an `other` answer, for the report. */
  body?: string;
}

export async function signInUsers(
  stack: SoakStack,
  count: number,
  log: (line: string) => void,
  concurrency = 4,
): Promise<SoakUser[]> {
  const users: SoakUser[] = [];
  let next = 1;
  const worker = async () => {
    while (next <= count) {
      const n = next++;
      // Alternately on each server: both servers' callbacks are registered at the stand-in.
      const server = stack.servers[n % stack.servers.length]!;
      const { cookie } = await signInWithMake(server.url, undefined, numberedUserLogin(n));
      users.push({ login: numberedUserLogin(n), sub: numberedUserSub(n), cookie });
      if (users.length % 25 === 0) log(`signed in ${users.length} of ${count} users`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return users.sort((a, b) => a.sub.localeCompare(b.sub));
}

export function classify(
  page: Page,
  user: SoakUser,
  status: number,
  body: string,
): { kind: AnswerKind; reason?: string } {
  const marker = (name: string) => new RegExp(`${name}="([^"]+)"`).exec(body)?.[1];
  const failedRender =
    body.includes('data-app-error="unavailable"') || /[0-9a-f]+:E\{\\"digest\\":\\"\d+\\"\}/.test(body);
  if ((status === 500 || status === 200) && failedRender) return { kind: "error_page" };
  if (status !== 200) return { kind: "other", reason: `HTTP ${status}` };
  const state = marker("data-connection-state");
  if (page === "/dashboard") {
    if (state !== "active") return { kind: "other", reason: `state ${state ?? "missing"}` };
    const unavailable = marker("data-identity-unavailable");
    if (unavailable) return { kind: "degraded", reason: unavailable };
    const sub = new RegExp(`data-claim="sub"[^>]*>${user.sub}<`).test(body);
    return sub ? { kind: "ok" as const } : { kind: "other", reason: "identity missing" };
  }
  const problem = marker("data-make-error");
  if (problem) return { kind: "degraded", reason: problem };
  const scenarios =
    body.includes(`data-organization="${SHARED_ORGANIZATION_ID}"`) && body.includes('data-team="7041"');
  return scenarios ? { kind: "ok" as const } : { kind: "other", reason: "scenarios missing" };
}

export interface Browsing {
  /** Resolves with every request once each user's loop has ended. */
  done: Promise<SoakRequest[]>;
}

/**
 * Each user views a page, pauses `pauseMs` (uniform in that range), views the next, until `until`
 * (epoch ms). Views alternate between the servers, starting from a different one per user; the two tabs of
 * a view go to different servers.
 */
export function browse(
  stack: SoakStack,
  users: SoakUser[],
  options: { until: number; pauseMs: [number, number] },
): Browsing {
  const agents = new Map(
    // Idle sockets close before the server's keep-alive timeout (5 s), or a reused one could be reset.
    stack.servers.map((server) => [
      server,
      new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 }),
    ]),
  );
  const requests: SoakRequest[] = [];
  const [minPause, maxPause] = options.pauseMs;
  const pause = () =>
    new Promise((resolve) => setTimeout(resolve, minPause + Math.random() * (maxPause - minPause)));

  const view = async (user: SoakUser, page: Page, preferred: number): Promise<SoakRequest> => {
    const start = Date.now();
    let server = pick(stack.servers, preferred);
    let rerouted = false;
    const answer = (kind: AnswerKind, reason?: string, body?: string) => ({
      user: user.login,
      page,
      server: server.name,
      start,
      end: Date.now(),
      rerouted,
      kind,
      ...(reason ? { reason } : {}),
      ...(kind === "other" && body ? { body } : {}),
    });
    for (;;) {
      try {
        const sentTo = server;
        sentTo.inFlight++;
        const { status, body } = await get(`${server.url}${page}`, agents.get(server)!, {
          cookie: user.cookie,
        }).finally(() => sentTo.inFlight--);
        const { kind, reason } = classify(page, user, status, body);
        return answer(kind, reason, body);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        const other = stack.servers.find((candidate) => candidate !== server && candidate.up);
        if (code === "ECONNREFUSED" && other && !rerouted) {
          server.up = false;
          server = other;
          rerouted = true;
          continue;
        }
        return answer(code === "ECONNRESET" || /socket hang up/i.test(String(error)) ? "cut" : "other", code);
      }
    }
  };

  const loop = async (user: SoakUser, index: number) => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * maxPause));
    for (let step = index; Date.now() < options.until; step += 2) {
      // Now and then both pages at once, as from two tabs: the load balancer sends them to both servers.
      const pages = Math.random() < TWO_TABS ? PAGES : [PAGES[Math.random() < 0.5 ? 0 : 1]];
      requests.push(...(await Promise.all(pages.map((page, tab) => view(user, page, step + tab)))));
      await pause();
    }
  };
  const done = Promise.all(users.map(loop)).then(() => {
    for (const agent of agents.values()) agent.destroy();
    return requests;
  });
  return { done };
}

function pick(servers: SoakServer[], preferred: number): SoakServer {
  const first = servers[preferred % servers.length]!;
  return first.up ? first : (servers.find((server) => server.up) ?? first);
}
