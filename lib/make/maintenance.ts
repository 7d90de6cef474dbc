/**
 * The Make connection's background work. `runMakeMaintenance` is what the cron route runs (Vercel Cron,
 * vercel.json): it delivers the revocations Make has not confirmed yet. `startRevocationSweep` does the
 * same every 30 seconds in each long-running server process (`npm start`): a convenience, not what
 * correctness rests on, since the cron route and the dashboard's visit retry too.
 */
import "server-only";
import { deliverPendingRevocations } from "@/lib/make/revoke";

const SWEEP_MS = 30_000;
let timer: NodeJS.Timeout | undefined;

export async function runMakeMaintenance(): Promise<{ revocationsSettled: boolean }> {
  return { revocationsSettled: await deliverPendingRevocations() };
}

export function startRevocationSweep() {
  if (timer) return;
  timer = setInterval(() => {
    deliverPendingRevocations().catch((error) =>
      console.error("[make] revocation sweep failed:", error?.message ?? error),
    );
  }, SWEEP_MS);
  timer.unref();
}
