/**
 * The cross-process refresh lease on a Make account row: only its holder may send the refresh token to
 * Make. The database's clock decides when a lease expires, and the holder budgets its own work by a
 * local monotonic clock started before the claim was sent, so it always stops before the database would
 * let anyone else in. See "Token refresh" in SECURITY.md for the timings and what remains.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

/** After Make answered: how long the holder keeps trying to write the new tokens (retries included). */
const WRITE_BUDGET_MS = 15_000;
/** Room left between the end of the holder's work and the lease's expiry. */
const SAFETY_MS = 10_000;
/** A refresh request may run this many timeouts: a late answer still saves the connection. */
const REQUEST_TIMEOUTS = 3;

export const leaseMs = () => REQUEST_TIMEOUTS * env.MAKE_TOKEN_TIMEOUT_MS + WRITE_BUDGET_MS + SAFETY_MS;

export interface RefreshLease {
  id: string;
  /** Milliseconds until the token request must have been cut off. */
  requestRemainingMs(): number;
  /** Milliseconds left for writing the new tokens. */
  writeRemainingMs(): number;
}

/**
 * Claims the lease on `row` if nobody holds an unexpired one and the row is still at `tokenVersion`.
 * Token columns are not touched here, so raw SQL (for `now()`) is safe.
 */
export async function claimRefreshLease(row: {
  id: string;
  tokenVersion: number;
}): Promise<RefreshLease | null> {
  const id = randomUUID();
  const sentAt = performance.now();
  const claimed = await db.$executeRaw`
    UPDATE "Account"
    SET "refreshLeaseId" = ${id},
        "refreshLeaseUntil" = (now() AT TIME ZONE 'UTC') + ${leaseMs()}::integer * interval '1 millisecond'
    WHERE id = ${row.id} AND "tokenVersion" = ${row.tokenVersion}
      AND ("refreshLeaseUntil" IS NULL OR "refreshLeaseUntil" < (now() AT TIME ZONE 'UTC'))`;
  if (claimed !== 1) return null;
  const expiresAt = sentAt + leaseMs();
  const writeDeadline = expiresAt - SAFETY_MS;
  const requestDeadline = writeDeadline - WRITE_BUDGET_MS;
  return {
    id,
    requestRemainingMs: () => requestDeadline - performance.now(),
    writeRemainingMs: () => writeDeadline - performance.now(),
  };
}
