/**
 * The database pool under Fluid compute, where one instance serves many requests at once: 50 concurrent
 * /dashboard requests on one instance (run as a serverless instance, tests/support/serverless) whose
 * database is behind PgBouncer in transaction mode. Needs a real PostgreSQL; skipped on PGlite.
 */
import { startPgBouncer } from "../tests/support/pgbouncer";
import { percentile, runLoad } from "./load";
import type { BenchStack } from "./stack";

export interface PoolUnderLoad {
  concurrency: number;
  requests: number;
  failed: number;
  p50Ms: number;
  p95Ms: number;
  /** PgBouncer's server connections to PostgreSQL. */
  serverConnections: number;
}

const CONCURRENCY = 50;
const REQUESTS = 1_000;
/** Fewer server connections than the instance's pool, as a shared pooler gives each client. */
const BOUNCER_POOL_SIZE = 5;

export async function measurePoolUnderLoad(
  stack: BenchStack,
  cookie: string,
): Promise<PoolUnderLoad | { skipped: string }> {
  if (stack.database.kind.includes("PGlite")) return { skipped: "PgBouncer needs a real PostgreSQL" };
  const bouncer = await startPgBouncer(stack.database.url, { poolSize: BOUNCER_POOL_SIZE });
  try {
    const app = await stack.startApp({
      databaseUrl: bouncer.pooledUrl(stack.database.url),
      serverless: true,
    });
    try {
      const { samples } = await runLoad({
        url: `${app.url}/dashboard`,
        concurrency: CONCURRENCY,
        requests: REQUESTS,
        headers: { cookie },
      });
      const durations = samples.map((sample) => sample.end - sample.start);
      return {
        concurrency: CONCURRENCY,
        requests: samples.length,
        failed: samples.filter((sample) => !sample.ok).length,
        p50Ms: percentile(durations, 50),
        p95Ms: percentile(durations, 95),
        serverConnections: BOUNCER_POOL_SIZE,
      };
    } finally {
      await app.close();
    }
  } finally {
    await bouncer.close();
  }
}
