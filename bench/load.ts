/**
 * A closed-loop load generator: `concurrency` workers each send one request, read the whole response, and
 * send the next, over keep-alive connections (one per worker). Closed loop means throughput is what the
 * server sustains at that concurrency, and latency is what each of those users sees.
 *
 * node:http rather than fetch: it costs the generator less CPU per request, and the generator shares
 * the machine with the server it measures.
 */
import http from "node:http";

export interface Sample {
  /** performance.now() at send and at the last byte of the response. */
  start: number;
  end: number;
  ok: boolean;
}

export interface LoadOptions {
  url: string;
  concurrency: number;
  /** Stop sending after this long... */
  durationMs?: number;
  /** ...or after this many requests, whichever comes first. */
  requests?: number;
  headers?: Record<string, string>;
  /** Whether a response counts as a success; default: status 200. */
  check?: (status: number, body: string) => boolean;
}

export interface LoadResult {
  samples: Sample[];
  elapsedMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const check = options.check ?? ((status) => status === 200);
  const samples: Sample[] = [];
  const began = performance.now();
  const stopAt = began + (options.durationMs ?? Infinity);
  const limit = options.requests ?? Infinity;
  let sent = 0;

  const worker = async () => {
    while (performance.now() < stopAt && sent < limit) {
      sent++;
      const start = performance.now();
      const ok = await get(options.url, agent, options.headers ?? {})
        .then(({ status, body }) => check(status, body))
        .catch(() => false);
      samples.push({ start, end: performance.now(), ok });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - began;
  agent.destroy();
  return { samples, elapsedMs };
}

/** One GET over `agent`, the whole body read; rejects on a network error or after 30 s. */
export function get(
  url: string,
  agent: http.Agent,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
  });
}

export interface LatencySummary {
  requests: number;
  failed: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentile of a list of milliseconds. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarize(results: LoadResult[]): LatencySummary {
  const samples = results.flatMap((result) => result.samples);
  const latencies = samples.map((sample) => sample.end - sample.start);
  const seconds = results.reduce((sum, result) => sum + result.elapsedMs, 0) / 1000;
  return {
    requests: samples.length,
    failed: samples.filter((sample) => !sample.ok).length,
    perSecond: samples.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}
