/**
 * The app's scheduled background work, run by Vercel Cron (vercel.json) or any scheduler that can send a
 * request: runMakeMaintenance (lib/make) within the function's time limit, and expired sessions deleted.
 * Authorised by `Authorization: Bearer $CRON_SECRET`; without CRON_SECRET it answers 401 to everyone.
 * @see https://vercel.com/docs/cron-jobs/manage-cron-jobs#securing-cron-jobs
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { deleteExpiredSessions } from "@/lib/auth";
import { runMakeMaintenance } from "@/lib/make";

export const dynamic = "force-dynamic";
// Vercel stops the function, registered work included, after this many seconds (lib/make/README.md, "Time
// limits on the platform"); the run leaves room for its answer.
export const maxDuration = 300;
const ANSWER_MARGIN_MS = 10_000;

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
  const [maintenance, expiredSessionsDeleted] = await Promise.all([
    runMakeMaintenance(maxDuration * 1000 - ANSWER_MARGIN_MS),
    deleteExpiredSessions(),
  ]);
  return Response.json(
    { ...maintenance, expiredSessionsDeleted },
    { headers: { "cache-control": "no-store" } },
  );
}
