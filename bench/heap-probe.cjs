// Preloaded into the app server by `npm run bench` (NODE_OPTIONS=--require). Records the JS heap in use
// and the RSS right after each full (mark-compact) garbage collection V8 runs on its own; on SIGUSR2 it
// prints the count and the latest figures. Between full GCs both swing with garbage not yet collected;
// right after one they are what the process keeps, the figures a leak makes grow. Nothing here triggers a
// collection.
const { PerformanceObserver, constants } = require("node:perf_hooks");

const KEPT = 32;
let majorGcs = 0;
let heapsAfterMajorGc = [];
let rssAfterMajorGc = [];

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    majorGcs += 1;
    const usage = process.memoryUsage();
    heapsAfterMajorGc = [...heapsAfterMajorGc, usage.heapUsed].slice(-KEPT);
    rssAfterMajorGc = [...rssAfterMajorGc, usage.rss].slice(-KEPT);
  }
}).observe({ entryTypes: ["gc"] });

process.on("SIGUSR2", () => {
  process.stderr.write(`BENCH_HEAP ${JSON.stringify({ majorGcs, heapsAfterMajorGc, rssAfterMajorGc })}\n`);
});
