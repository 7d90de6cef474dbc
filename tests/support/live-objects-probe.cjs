// Preloaded into an app server by tests/e2e/memory-retention.test.ts (NODE_OPTIONS=--require): on SIGUSR2
// it prints how many HTTP requests and responses are still alive (v8.queryObjects collects garbage first).
const http = require("node:http");
const v8 = require("node:v8");

process.on("SIGUSR2", () => {
  const count = (constructor) => v8.queryObjects(constructor, { format: "count" });
  const live = { requests: count(http.IncomingMessage), responses: count(http.ServerResponse) };
  process.stderr.write(`LIVE_OBJECTS ${JSON.stringify(live)}\n`);
});
