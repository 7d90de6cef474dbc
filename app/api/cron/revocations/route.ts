/**
 * The app's scheduled background work, run by Vercel Cron (vercel.json) or any scheduler that can send a
 * request: delivers the revocations Make has not confirmed yet (until the queue is empty or its time budget
 * is spent; the answer says what remains), refreshes connections idle for MAKE_RENEW_IDLE_AFTER_DAYS
 * (bounded in time; `renewals.remaining` says what is left for the next run) and deletes expired sessions;
 * before that it lets connections unused for MAKE_LAPSE_AFTER_DAYS lapse, and after it delivers connection
 * events still waiting (lib/make/outbox.ts).
 * Authorised by
 * `Authorization: Bearer $CRON_SECRET`, Vercel Cron's convention; without CRON_SECRET it answers 401 to
 * everyone. Idempotent, and safe when two runs overlap (each pending revocation is claimed by one run).
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
} from "@/lib/make";

export const dynamic = "force-dynamic";
// Vercel stops the function after this many seconds (60 is the ceiling on every plan without Fluid compute);
// the queue is drained for a budget that leaves time for the rest of the run and the answer.
export const maxDuration = 60;
const REVOCATION_BUDGET_MS = 30_000;
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
  // Abandoned connections lapse first: their revocations go out with the rest, and they are not renewed.
  const lapses = await lapseAbandonedConnections(authConfig.session.maxAge);
  const [maintenance, expiredSessionsDeleted] = await Promise.all([
    runMakeMaintenance(REVOCATION_BUDGET_MS),
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
