/**
 * Records how long the local Make stand-in spends on each request it serves, so the app's own share of a
 * request that calls Make (the sign-in callback) can be told apart from the stand-in's. The stand-in runs
 * in this process; Node's built-in HTTP diagnostics channels time every request of every server here
 * without touching the stand-in's code. Only requests arriving on the stand-in's port are kept.
 * @see https://nodejs.org/docs/latest-v20.x/api/diagnostics_channel.html#http
 */
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface StandInRequest {
  path: string;
  start: number;
  end: number;
}

interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
  socket: Socket;
}

export interface StandInTiming {
  requests: StandInRequest[];
  /** Milliseconds the stand-in was busy answering within [from, to], overlapping requests counted once. */
  busyWithin(from: number, to: number): number;
  stop(): void;
}

export function timeStandIn(port: number): StandInTiming {
  const started = new WeakMap<ServerResponse, { path: string; start: number }>();
  const requests: StandInRequest[] = [];

  const onStart = (message: unknown) => {
    const { request, response, socket } = message as ServerMessage;
    if (socket.localPort !== port) return;
    started.set(response, { path: (request.url ?? "").split("?")[0]!, start: performance.now() });
  };
  const onFinish = (message: unknown) => {
    const { response } = message as ServerMessage;
    const begun = started.get(response);
    if (begun) requests.push({ ...begun, end: performance.now() });
  };
  diagnostics.subscribe("http.server.request.start", onStart);
  diagnostics.subscribe("http.server.response.finish", onFinish);

  return {
    requests,
    busyWithin(from, to) {
      const spans = requests
        .map((request) => [Math.max(request.start, from), Math.min(request.end, to)] as const)
        .filter(([start, end]) => end > start)
        .sort((a, b) => a[0] - b[0]);
      let busy = 0;
      let reached = -Infinity;
      for (const [start, end] of spans) {
        if (end <= reached) continue;
        busy += end - Math.max(start, reached);
        reached = end;
      }
      return busy;
    },
    stop() {
      diagnostics.unsubscribe("http.server.request.start", onStart);
      diagnostics.unsubscribe("http.server.response.finish", onFinish);
    },
  };
}
