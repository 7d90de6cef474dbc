/**
 * Memory under sustained use: /dashboard at c=16 for a warm-up, then for 5,000 more requests, with the
 * server's RSS sampled every 250 requests. A reading is the median of the last four samples of a phase,
 * since one sample can land just before or after V8 resizes its heap.
 *
 * RSS right after start says little: the routes are not loaded yet and V8 has not sized its heap. And on a
 * host with plenty of memory V8 reserves heap lazily, so RSS steps up and down by tens of MB with no leak.
 * So beside RSS the report gives the JS heap in use after the full GCs V8 ran by itself in the second half
 * of each phase (bench/heap-probe.cjs), the lowest of them (or the phase's last one when none ran that
 * late): what is still alive then, with the fewest requests in flight. That is the figure a leak makes
 * grow. No collection is forced.
 */
import { setTimeout as sleep } from "node:timers/promises";

import type { AppServer } from "../tests/support/app-server";
import { percentile, runLoad } from "./load";
import { dashboardIsHealthy } from "./page-cost";
import { residentBytes } from "./process-stats";

const SAMPLE_EVERY = 250;
const SAMPLES_PER_READING = 4;

export interface MemoryReading {
  rss: number;
  /** Lowest heap in use after a full GC in the second half of the phase (else its last one); NaN: none ran. */
  heapAfterFullGc: number;
  /** Full GCs in the whole phase. */
  fullGcs: number;
}

export interface MemoryReport {
  warmUpRequests: number;
  requests: number;
  warm: MemoryReading;
  after: MemoryReading;
  failed: number;
}

const median = (values: number[]) => percentile(values, 50);

interface HeapProbe {
  majorGcs: number;
  /** Heap in use after each of the latest full GCs, oldest first. */
  heapsAfterMajorGc: number[];
}

async function heapProbe(app: AppServer): Promise<HeapProbe> {
  const seen = app.output().length;
  process.kill(app.pid, "SIGUSR2");
  for (let waited = 0; waited < 3_000; waited += 20) {
    const line = /BENCH_HEAP (\{.*\})/.exec(app.output().slice(seen))?.[1];
    if (line) return JSON.parse(line) as HeapProbe;
    await sleep(20);
  }
  throw new Error("the heap probe (bench/heap-probe.cjs) did not answer; is it preloaded?");
}

async function phase(app: AppServer, cookie: string, requests: number): Promise<MemoryReading & { failed: number }> {
  const rss: number[] = [];
  const start = await heapProbe(app);
  let halfway: HeapProbe | undefined;
  let failed = 0;
  for (let sent = 0; sent < requests; sent += SAMPLE_EVERY) {
    if (!halfway && sent >= requests / 2) halfway = await heapProbe(app);
    const { samples } = await runLoad({
      url: `${app.url}/dashboard`,
      headers: { cookie },
      concurrency: 16,
      requests: Math.min(SAMPLE_EVERY, requests - sent),
      check: dashboardIsHealthy,
    });
    failed += samples.filter((sample) => !sample.ok).length;
    rss.push(residentBytes(app.pid));
  }
  const end = await heapProbe(app);
  // The full GCs of the second half of the phase, or else the phase's last one.
  const lateGcs = Math.min(Math.max(end.majorGcs - (halfway ?? start).majorGcs, 1), end.majorGcs - start.majorGcs);
  const late = lateGcs > 0 ? end.heapsAfterMajorGc.slice(-lateGcs) : [];
  return {
    rss: median(rss.slice(-SAMPLES_PER_READING)),
    heapAfterFullGc: late.length ? Math.min(...late) : NaN,
    fullGcs: end.majorGcs - start.majorGcs,
    failed,
  };
}

export async function measureMemory(app: AppServer, cookie: string, warmUpRequests = 2_000, requests = 5_000): Promise<MemoryReport> {
  const { failed: warmUpFailed, ...warm } = await phase(app, cookie, warmUpRequests);
  const { failed, ...after } = await phase(app, cookie, requests);
  return { warmUpRequests, requests, warm, after, failed: warmUpFailed + failed };
}
