/**
 * `npm run bench:profile`: where an app server's CPU goes, per request, for /bare and for /dashboard.
 *
 * Two servers of the benchmark's build (BENCH_SKIP_BUILD=1 reuses it) run V8's sampling profiler
 * (bench/cpu-probe.cjs, the profiler `node --cpu-prof` uses, started after a warm-up), one loaded with /bare and one with /dashboard for the signed-in user, at the same
 * concurrency and for the same time. Each writes a .cpuprofile (open it in Chrome DevTools'
 * Performance panel or speedscope) and this prints, for both, the CPU per request by where the code comes
 * from (Next.js, React, the app's own chunks, pg, Node itself, garbage collection) and the functions with
 * the most self time, so the two columns read side by side.
 *
 * BENCH_PROFILE_SECONDS (default 20) and BENCH_PROFILE_CONCURRENCY (default 16) tune the load.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

import { runLoad } from "./load";
import { dashboardIsHealthy } from "./page-cost";
import { measureSignIns } from "./sign-in";
import { buildApp, startBenchStack } from "./stack";
import { askProbe } from "../tests/support/app-server";

const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 40);

const seconds = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);
const concurrency = Number(process.env.BENCH_PROFILE_CONCURRENCY ?? 16);
const outDir = path.resolve(import.meta.dirname, "../.next-bench/profiles");
const began = performance.now();
const log = (line: string) =>
  process.stderr.write(`[profile ${((performance.now() - began) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from, by its script URL. */
function origin(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)") return "V8 and native code";
  if (functionName === "(idle)") return "idle";
  if (!url) return "native";
  if (url.startsWith("node:")) return "Node.js";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    const name = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    if (name === "next") {
      if (url.includes("/compiled/next-server/")) return "next (bundled server runtime)";
      if (url.includes("/react-dom/") || url.includes("/react-server-dom")) return "react (bundled in next)";
      return "next";
    }
    return name;
  }
  if (url.includes("/.next-bench/server/chunks/")) return "app chunks (incl. bundled packages)";
  if (url.includes("/.next-bench/server/")) return "app server files";
  return url;
}

/** Self milliseconds per sampled frame and per origin. */
function selfTimes(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0)),
  );
  const byFrame = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    const where = url
      ? `${url.replace(/^.*\/(node_modules|\.next-bench)\//, "$1/")}:${lineNumber + 1}:${columnNumber + 1}`
      : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    byFrame.set(key, (byFrame.get(key) ?? 0) + us / 1000);
    const from = origin(url, functionName);
    byOrigin.set(from, (byOrigin.get(from) ?? 0) + us / 1000);
  }
  return { byFrame, byOrigin };
}

async function main() {
  await buildApp(log);
  const stack = await startBenchStack(log);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  try {
    const { cookie } = await measureSignIns(stack.app.url, stack.standIn, 1, 0);
    const variants: {
      name: string;
      page: string;
      headers: Record<string, string>;
      check?: typeof dashboardIsHealthy;
    }[] = [
      { name: "bare", page: "/bare", headers: {} },
      { name: "dashboard", page: "/dashboard", headers: { cookie }, check: dashboardIsHealthy },
    ];
    const rows = [];
    for (const { name, page, headers, check } of variants) {
      const file = path.join(outDir, `${name}.cpuprofile`);
      const server = await stack.startApp({
        env: {
          NODE_OPTIONS: `${stack.appEnv.NODE_OPTIONS} --require ${JSON.stringify(path.join(import.meta.dirname, "cpu-probe.cjs"))}`,
          BENCH_CPU_PROFILE: file,
        },
      });
      const url = `${server.url}${page}`;
      log(`${page}: warm-up, then ${seconds} s at c=${concurrency} under the profiler`);
      await runLoad({ url, headers, check, concurrency, durationMs: 5_000 });
      await askProbe(server, "BENCH_CPU_PROFILE_STARTED", 30_000);
      const result = await runLoad({ url, headers, check, concurrency, durationMs: seconds * 1000 });
      await askProbe(server, "BENCH_CPU_PROFILE_WRITTEN", 30_000);
      await server.close();
      const failed = result.samples.filter((sample) => !sample.ok).length;
      if (failed) throw new Error(`${failed} of ${result.samples.length} ${page} requests failed`);
      const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
      rows.push({ name, file, requests: result.samples.length, ...selfTimes(profile) });
    }
    process.stdout.write(formatProfiles(rows) + "\n");
  } finally {
    await stack.close();
  }
}

function formatProfiles(
  rows: {
    name: string;
    file: string;
    requests: number;
    byFrame: Map<string, number>;
    byOrigin: Map<string, number>;
  }[],
): string {
  const perRequest = (ms: number, requests: number) => (ms / requests).toFixed(3);
  const lines = [`CPU per request (ms of samples ÷ requests), c=${concurrency}, ${seconds} s each:`, ""];
  const origins = [...new Set(rows.flatMap((row) => [...row.byOrigin.keys()]))].filter((o) => o !== "idle");
  const total = (row: (typeof rows)[number]) =>
    [...row.byOrigin].filter(([o]) => o !== "idle").reduce((sum, [, ms]) => sum + ms, 0);
  origins.sort(
    (a, b) =>
      (rows.at(-1)!.byOrigin.get(b) ?? 0) / rows.at(-1)!.requests -
      (rows.at(-1)!.byOrigin.get(a) ?? 0) / rows.at(-1)!.requests,
  );
  lines.push(`| origin | ${rows.map((row) => `${row.name} (${row.requests} req)`).join(" | ")} |`);
  lines.push(`|---|${rows.map(() => "---:").join("|")}|`);
  for (const o of origins)
    lines.push(
      `| ${o} | ${rows.map((row) => perRequest(row.byOrigin.get(o) ?? 0, row.requests)).join(" | ")} |`,
    );
  lines.push(`| **busy, total** | ${rows.map((row) => perRequest(total(row), row.requests)).join(" | ")} |`);
  for (const row of rows) {
    lines.push("", `Top self time, ${row.name} (ms per request):`, "");
    const top = [...row.byFrame]
      .filter(([key]) => !key.startsWith("(idle)"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP);
    for (const [key, ms] of top) lines.push(`${perRequest(ms, row.requests).padStart(7)}  ${key}`);
    lines.push(`profile: ${row.file}`);
  }
  return lines.join("\n");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `\nbench:profile could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
