/**
 * Readiness, for load balancers: can this instance serve requests. The database decides (503 while it is
 * unreachable: every page needs it). Make's discovery document is checked and reported in the body, but a
 * Make outage leaves the answer 200: the app still signs people in to what it can show, keeps tokens
 * and queues revocations, and taking every instance out of rotation would only make it look down.
 * Liveness (is the process up at all) is /api/health/live. Never any configuration detail.
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
