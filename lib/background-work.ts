/**
 * The one way to let work outlive a response: `outliveResponse(work)` registers it with the platform, so a
 * serverless instance is not frozen before it ends; cron runs and scripts await `settleBackgroundWork()`.
 * @see https://nextjs.org/docs/app/api-reference/functions/after
 * @see https://vercel.com/docs/functions/functions-api-reference/vercel-functions-package#waituntil
 */
import { waitUntil } from "@vercel/functions";
import { after } from "next/server";
import { errorMessage, log } from "@/lib/log";

/** Work registered in this process and not yet settled (scripts and the cron route wait for it). */
const pending = new Set<Promise<unknown>>();

/**
 * Registers `work` and returns it, so a caller may still await it. Inside a request, server action or
 * route handler it goes to Next's `after()`, which hands it to the platform's `waitUntil` (or, on a
 * long-running server, keeps it until shutdown). Outside one, it goes to `waitUntil` from
 * `@vercel/functions`, which is a no-op where no platform context exists: there the caller awaits.
 */
export function outliveResponse<T>(label: string, work: Promise<T>): Promise<T> {
  const settled = work.then(
    () => undefined,
    (error: unknown) => log.warn(`background work failed: ${label}`, { error: errorMessage(error) }),
  );
  pending.add(settled);
  void settled.finally(() => pending.delete(settled));
  try {
    after(settled);
  } catch {
    // Outside a request scope (cron internals, scripts, a module-level timer): the platform's own context.
    waitUntil(settled);
  }
  return work;
}

/** Resolves once every piece of work registered so far (and any it registers meanwhile) has settled. */
export async function settleBackgroundWork(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
