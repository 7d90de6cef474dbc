/**
 * Cold start, what a serverless user waits for when no instance is warm: the standalone server (the traced
 * function, copied alone into an empty directory) timed from process start to its first `/dashboard`
 * response for a signed-in user, against the same for `/bare`. Each run is a new process; the two pages
 * alternate, so a slower moment of the machine falls on both.
 */
import { percentile } from "./load";
import type { BenchStack } from "./stack";
import { BENCH_DIST_DIR } from "./stack";
import { freePort } from "../tests/support/ports";
import { copyStandalone, firstResponse, spawnStandalone } from "../tests/support/standalone";

export interface ColdStartReport {
  runs: number;
  /** Milliseconds from spawn to the first response, per run. */
  dashboard: number[];
  bare: number[];
  /** Size of the standalone output with its static files. */
  bytes: number;
}

export async function measureColdStarts(
  stack: BenchStack,
  cookie: string,
  runs = 5,
): Promise<ColdStartReport> {
  const copy = await copyStandalone(BENCH_DIST_DIR);
  const report: ColdStartReport = { runs, dashboard: [], bare: [], bytes: copy.bytes };
  try {
    for (let run = 0; run < runs; run++) {
      for (const page of ["dashboard", "bare"] as const)
        report[page].push(await coldStart(stack, copy.dir, page, cookie));
    }
  } finally {
    await copy.remove();
  }
  return report;
}

async function coldStart(
  stack: BenchStack,
  dir: string,
  page: "dashboard" | "bare",
  cookie: string,
): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { NODE_OPTIONS: _probe, ...env } = stack.appEnv;
  const started = performance.now();
  const server = spawnStandalone(dir, { port, env: { ...env, AUTH_URL: url } });
  try {
    const response = await firstResponse(server, `${url}/${page}`, {
      headers: page === "dashboard" ? { cookie } : {},
    });
    const elapsed = performance.now() - started;
    const body = await response.text();
    if (
      response.status !== 200 ||
      (page === "dashboard" && !body.includes('data-connection-state="active"'))
    ) {
      throw new Error(`cold start: GET /${page} answered ${response.status}:\n${server.output()}`);
    }
    return elapsed;
  } finally {
    await server.close();
  }
}

export const medianMs = (values: number[]) => percentile(values, 50);
