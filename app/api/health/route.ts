/**
 * Readiness, for load balancers: 503 only while the database is unreachable; Make's discovery is reported in
 * the body, but a Make outage leaves it 200 (why: docs/deploying.md, "Health and observability"). Liveness is
 * /api/health/live. Never any configuration detail.
 */
import { db } from "@/lib/db";
import { checkMakeHealth } from "@/lib/make/ops";

export const dynamic = "force-dynamic";

async function check(probe: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await probe();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch {
    return { ok: false, ms: Math.round(performance.now() - started) };
  }
}

export async function GET() {
  const [database, makeDiscovery] = await Promise.all([
    check(() => db.$queryRaw`SELECT 1`),
    check(() => checkMakeHealth()),
  ]);
  return Response.json(
    { ok: database.ok, database, makeDiscovery },
    { status: database.ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
