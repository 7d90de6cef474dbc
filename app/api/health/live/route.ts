/**
 * Liveness: the process is up and answering. Touches nothing it depends on (database, Make), so an
 * orchestrator restarts an instance only when the instance itself is stuck. Readiness is /api/health.
 */
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
