/**
 * Retries revocations Make has not confirmed, every 30 seconds, in each long-running server process
 * (`npm start`). A convenience, not what correctness rests on: the scheduled route /api/cron/revocations
 * (vercel.json) does the same wherever no timer outlives a request, and the dashboard's visit retries too.
 */
import "server-only";
import { deliverPendingRevocations } from "@/lib/tokens/revoke";

const SWEEP_MS = 30_000;
let timer: NodeJS.Timeout | undefined;

export function startRevocationSweep() {
  if (timer) return;
  timer = setInterval(() => {
    deliverPendingRevocations().catch((error) =>
      console.error("[revocations] sweep failed:", error?.message ?? error),
    );
  }, SWEEP_MS);
  timer.unref();
}
