/**
 * `npm run soak`: the token lifecycle under faults, on two app servers of one production build and one
 * PostgreSQL, for a few minutes, printing one table (bench/README.md, "Soak"). Exits non-zero when an
 * invariant breaks or the soak could not run. `--serverless` runs both servers as serverless instances
 * (tests/support/serverless). BENCH_SKIP_BUILD=1 reuses the last build; progress goes to stderr, the table
 * to stdout.
 */
import os from "node:os";

import { startBenchDatabase } from "./database";
import { FULL_PLAN } from "./soak-faults";
import { runSoak } from "./soak-run";
import { BENCH_DIST_DIR, buildApp } from "./stack";

const began = performance.now();
const log = (line: string) =>
  process.stderr.write(`[soak ${((performance.now() - began) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);

const serverless = process.argv.includes("--serverless");

async function main(): Promise<boolean> {
  await buildApp(log);
  const database = await startBenchDatabase(log);
  try {
    const environment = [
      new Date().toISOString().slice(0, 16).replace("T", " "),
      `Node ${process.version}`,
      `${os.cpus().length} CPUs`,
      database.kind,
      ...(serverless ? ["both servers serverless instances"] : []),
    ].join(", ");
    const report = await runSoak(
      {
        distDir: BENCH_DIST_DIR,
        databaseUrl: database.url,
        environment,
        serverless: serverless ? [0, 1] : [],
      },
      FULL_PLAN,
      log,
    );
    process.stdout.write(report.table + "\n");
    return report.passed;
  } finally {
    await database.close();
  }
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(
      `\nnpm run soak could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
