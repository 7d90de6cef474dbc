// Preloaded into the app server by `npm run bench` (NODE_OPTIONS=--require). Records the JS heap in use
// right after each full (mark-compact) garbage collection V8 runs on its own; on SIGUSR2 it prints the
// count and the latest figures. Live heap after a full GC is what grows when memory leaks, whereas RSS also moves with how
// much heap V8 chooses to reserve. Nothing here triggers a collection.
const { PerformanceObserver, constants } = require("node:perf_hooks");

const KEPT = 32;
let majorGcs = 0;
let heapsAfterMajorGc = [];

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    majorGcs += 1;
    heapsAfterMajorGc = [...heapsAfterMajorGc, process.memoryUsage().heapUsed].slice(-KEPT);
  }
}).observe({ entryTypes: ["gc"] });

process.on("SIGUSR2", () => {
  process.stderr.write(`BENCH_HEAP ${JSON.stringify({ majorGcs, heapsAfterMajorGc })}\n`);
});
