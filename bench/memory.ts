/**
 * Memory under sustained use: /dashboard at c=16 until the server is warm, then for 5,000 more requests.
 *
 * Readings are taken at the same point of V8's cycle: right after each full (mark-compact) garbage
 * collection V8 runs by itself, where bench/heap-probe.cjs records the RSS and the JS heap in use. Between
 * two full GCs the RSS swings by a third or more with garbage V8 has not collected yet (on a host with
 * plenty of memory it collects lazily), so two arbitrary samples can differ widely with nothing leaking;
 * right after a full GC it is what the process keeps. A reading is the median over the phase's full GCs.
 * The peak of the RSS sampled every 250 requests is reported beside it. No collection is forced.
 *
 * Warm: the routes are loaded on first use and V8 sizes its heap over its first full GCs, so the warm-up
 * lasts at least `warmUpRequests` and until V8 has run WARM_FULL_GCS full GCs (at most MAX_WARM_UP).
 */

import { askProbe, type AppServer } from "../tests/support/app-server";
import { percentile, runLoad } from "./load";
import { dashboardIsHealthy } from "./page-cost";
import { residentBytes } from "./process-stats";

const SAMPLE_EVERY = 250;
const WARM_FULL_GCS = 6;
/** The warm reading is taken over the last full GCs of the warm-up. */
const WARM_READING_GCS = 4;
const MAX_WARM_UP = 20_000;

export interface MemoryReading {
  /** Median RSS right after the phase's full GCs (NaN: V8 ran none). */
  rss: number;
  /** Median JS heap in use right after the phase's full GCs. */
  heapAfterFullGc: number;
  /** Full GCs the reading is taken over. */
  fullGcs: number;
  /** Highest RSS sampled during the phase. */
  peakRss: number;
}

export interface MemoryReport {
  warmUpRequests: number;
  requests: number;
  warm: MemoryReading;
  after: MemoryReading;
  failed: number;
}

const median = (values: number[]) => (values.length ? percentile(values, 50) : NaN);

interface HeapProbe {
  majorGcs: number;
  /** The latest full GCs, oldest first: heap in use and RSS right after each. */
  heapsAfterMajorGc: number[];
  rssAfterMajorGc: number[];
}

async function heapProbe(app: AppServer): Promise<HeapProbe> {
  return JSON.parse(await askProbe(app, "BENCH_HEAP", 3_000)) as HeapProbe;
}

/** Sends /dashboard requests in steps of SAMPLE_EVERY until `done` says so; returns what it saw. */
async function phase(app: AppServer, cookie: string, done: (sent: number, fullGcs: number) => boolean) {
  const start = await heapProbe(app);
  let probe = start;
  let sent = 0;
  let failed = 0;
  let peakRss = 0;
  while (!done(sent, probe.majorGcs - start.majorGcs)) {
    const { samples } = await runLoad({
      url: `${app.url}/dashboard`,
      headers: { cookie },
      concurrency: 16,
      requests: SAMPLE_EVERY,
      check: dashboardIsHealthy,
    });
    sent += samples.length;
    failed += samples.filter((sample) => !sample.ok).length;
    peakRss = Math.max(peakRss, residentBytes(app.pid));
    probe = await heapProbe(app);
  }
  return { sent, failed, peakRss, fullGcs: probe.majorGcs - start.majorGcs, probe };
}

function reading(run: Awaited<ReturnType<typeof phase>>, lastGcs: number): MemoryReading {
  const count = Math.min(lastGcs, run.fullGcs, run.probe.rssAfterMajorGc.length);
  const last = <T>(values: T[]) => (count > 0 ? values.slice(-count) : []);
  return {
    rss: median(last(run.probe.rssAfterMajorGc)),
    heapAfterFullGc: median(last(run.probe.heapsAfterMajorGc)),
    fullGcs: count,
    peakRss: run.peakRss,
  };
}

export async function measureMemory(
  app: AppServer,
  cookie: string,
  warmUpRequests = 2_000,
  requests = 5_000,
): Promise<MemoryReport> {
  const warmUp = await phase(
    app,
    cookie,
    (sent, fullGcs) => sent >= MAX_WARM_UP || (sent >= warmUpRequests && fullGcs >= WARM_FULL_GCS),
  );
  const measured = await phase(app, cookie, (sent) => sent >= requests);
  return {
    warmUpRequests: warmUp.sent,
    requests: measured.sent,
    warm: reading(warmUp, WARM_READING_GCS),
    after: reading(measured, Infinity),
    failed: warmUp.failed + measured.failed,
  };
}
