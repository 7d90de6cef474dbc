/**
 * Retries revocations Make has not confirmed, every 30 seconds, in each long-running server process.
 * On serverless hosts, where no timer outlives a request, the dashboard's visit retries them as well.
 */
import "server-only";
import { deliverPendingRevocations } from "@/lib/tokens/revoke";

const SWEEP_MS = 30_000;
let timer: NodeJS.Timeout | undefined;

export function startRevocationSweep() {
  if (timer) return;
  timer = setInterval(() => {
    deliverPendingRevocations().catch((error) => console.error("[revocations] sweep failed:", error?.message ?? error));
  }, SWEEP_MS);
  timer.unref();
}
