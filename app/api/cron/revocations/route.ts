/**
 * The app's scheduled background work, run by Vercel Cron (vercel.json) or any scheduler: idle connections
 * lapse, runMakeMaintenance (lib/make) runs, waiting connection events are delivered, expired sessions go.
 * Authorised by `Authorization: Bearer $CRON_SECRET`; without CRON_SECRET it answers 401 to everyone.
 * @see https://vercel.com/docs/cron-jobs/manage-cron-jobs#securing-cron-jobs
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { deleteExpiredSessions } from "@/lib/auth";
import { authConfig } from "@/auth.config";
import {
  deliverMakeEvents,
  lapseAbandonedConnections,
  runMakeMaintenance,
  sweepForgottenSessions,
} from "@/lib/make/ops";

export const dynamic = "force-dynamic";
// Vercel stops the function, registered work included, after this many seconds (lib/make/README.md, "Time
// limits on the platform"); the run leaves room for its answer.
export const maxDuration = 300;
const ANSWER_MARGIN_MS = 10_000;
// Connection events are delivered after the maintenance, within their own share of the time.
const EVENT_BUDGET_MS = 15_000;

// Compared as hashes so neither the length nor a prefix of the secret shows in the comparison's timing.
function authorized(header: string | null): boolean {
  if (!env.CRON_SECRET || !header) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(header), digest(`Bearer ${env.CRON_SECRET}`));
}

export async function GET(request: Request) {
  if (!authorized(request.headers.get("authorization"))) {
    return Response.json(
      { error: "unauthorized" },
      { status: 401, headers: { "cache-control": "no-store" } },
    );
  }
  const startedAt = performance.now();
  // Abandoned connections lapse first: their revocations go out with the rest, and they are not renewed.
  const lapses = await lapseAbandonedConnections(authConfig.session.maxAge);
  const timeLeftMs = maxDuration * 1000 - (performance.now() - startedAt);
  const [maintenance, expiredSessionsDeleted] = await Promise.all([
    runMakeMaintenance(timeLeftMs - ANSWER_MARGIN_MS - EVENT_BUDGET_MS),
    deleteExpiredSessions(),
  ]);
  const [events, forgottenSessionsDeleted] = await Promise.all([
    deliverMakeEvents({}, EVENT_BUDGET_MS),
    sweepForgottenSessions(),
  ]);
  return Response.json(
    { ...maintenance, lapses, events, expiredSessionsDeleted, forgottenSessionsDeleted },
    { headers: { "cache-control": "no-store" } },
  );
}
