// Preloaded into an app server by `npm run bench:profile` (NODE_OPTIONS=--require), with BENCH_CPU_PROFILE
// naming the file to write. The first SIGUSR2 starts V8's sampling profiler in this process, the second
// stops it and writes the profile (Chrome DevTools' .cpuprofile format), so the profile covers exactly the
// measured load, not the server's start or its warm-up. Prints BENCH_CPU_PROFILE_WRITTEN when done.
const { writeFileSync } = require("node:fs");
const { Session } = require("node:inspector");

const file = process.env.BENCH_CPU_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on("SIGUSR2", () => {
    if (!running) {
      running = true;
      session.post("Profiler.enable", () =>
        session.post("Profiler.setSamplingInterval", { interval: 200 }, () =>
          session.post("Profiler.start", () => process.stderr.write("BENCH_CPU_PROFILE_STARTED\n")),
        ),
      );
      return;
    }
    running = false;
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
      process.stderr.write(`BENCH_CPU_PROFILE_WRITTEN ${error ? error.message : file}\n`);
    });
  });
}
