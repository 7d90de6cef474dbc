/**
 * The Make connection's background work. `runMakeMaintenance` is what the cron route runs (Vercel Cron,
 * vercel.json): it delivers the revocations Make has not confirmed yet. `startRevocationSweep` does the
 * same every 30 seconds in each long-running server process (`npm start`): a convenience, not what
 * correctness rests on, since the cron route and the dashboard's visit retry too.
 */
import "server-only";
import { deliverPendingRevocations, type RevocationRun } from "@/lib/make/revoke";

const SWEEP_MS = 30_000;
let timer: NodeJS.Timeout | undefined;

/**
 * Drains the revocation queue for at most `budgetMs` (keep it below the cron function's maxDuration).
 * `revocationsSettled` is false while rows remain, due later or beyond the budget; `revocations` says how many.
 */
export async function runMakeMaintenance(
  budgetMs: number,
): Promise<{ revocationsSettled: boolean; revocations: RevocationRun }> {
  const revocations = await deliverPendingRevocations({}, budgetMs);
  return { revocationsSettled: revocations.remaining === 0, revocations };
}

export function startRevocationSweep() {
  if (timer) return;
  timer = setInterval(() => {
    deliverPendingRevocations({}, SWEEP_MS).catch((error) =>
      console.error("[make] revocation sweep failed:", error?.message ?? error),
    );
  }, SWEEP_MS);
  timer.unref();
}
