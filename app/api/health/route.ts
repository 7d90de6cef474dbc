/**
 * Liveness for load balancers and uptime checks: is the database reachable, and is Make's discovery
 * document reachable. 200 when both are, 503 otherwise; never any configuration detail beyond that.
 */
import { db } from "@/lib/db";
import { checkMakeHealth } from "@/lib/make";

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
  const ok = database.ok && makeDiscovery.ok;
  return Response.json(
    { ok, database, makeDiscovery },
    { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
