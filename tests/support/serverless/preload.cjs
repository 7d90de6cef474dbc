/**
 * Preloaded (`--require`) into a production server that tests run as a serverless instance: installs the
 * request contexts Next.js and @vercel/functions read `waitUntil` from, counts requests in flight and
 * registered work, and answers the controller (./instance.ts) over the IPC channel. README.md beside it.
 */
const http = require("node:http");

let requests = 0;
let work = 0;

function report(answer) {
  if (process.connected) process.send({ serverless: "state", answer, requests, work });
}

function waitUntil(promise) {
  work += 1;
  Promise.resolve(promise)
    .catch(() => {})
    .finally(() => {
      work -= 1;
      if (work === 0 && requests === 0) report(null);
    });
}

// One context for every request: what matters here is that registered work is counted, not whose it is.
const context = { waitUntil, headers: {} };
globalThis[Symbol.for("@next/request-context")] = { get: () => context };
globalThis[Symbol.for("@vercel/request-context")] = { get: () => context };

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, request, response) {
  // Started on port 0, so no other process can take its port first: the controller learns it here.
  if (event === "listening" && process.connected)
    process.send({ serverless: "listening", port: this.address().port });
  if (event === "request") {
    requests += 1;
    response.once("close", () => {
      requests -= 1;
      if (work === 0 && requests === 0) report(null);
    });
  }
  return emit.apply(this, arguments);
};

// The controller asks after every response; the answer carries the question's number, so a stale one is
// recognised. Nothing here stops the process: only the controller does, so no request is caught mid-way.
process.on("message", (message) => {
  if (message && message.serverless === "ask") report(message.id);
});
