/**
 * Abandoned connections lapse: one whose user has had no session and no sign-in for MAKE_LAPSE_AFTER_DAYS,
 * on the database's clock, is no longer renewed; its tokens are revoked at Make (queued while Make is down)
 * and deleted, and it becomes `lapsed` (state.ts). The cron route runs it before the idle renewals; edit it
 * to change what counts as abandoned.
 */
import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { lapsed } from "@/lib/make/connection/state";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";
import { queueRevocations } from "@/lib/make/connection/revoke";

/** Connections lapsed per run at most; the next run takes the rest. */
const LAPSE_BATCH = 200;

export interface LapseReport {
  lapsed: number;
}

/**
 * `sessionIdleSeconds` is the sessions' idle lifetime (auth.config.ts): a session's expiry minus it is
 * when the session was last used.
 */
export async function lapseAbandonedConnections(sessionIdleSeconds: number): Promise<LapseReport> {
  const candidates = await db.$queryRaw<{ id: string }[]>`
    WITH cutoff AS (
      SELECT (now() AT TIME ZONE 'UTC') - ${env.MAKE_LAPSE_AFTER_DAYS}::integer * interval '1 day' AS at
    )
    SELECT a.id FROM "Account" a, cutoff
    WHERE a.provider = ${MAKE_PROVIDER_ID} AND a.state = 'active'
      AND a."connectedAt" < cutoff.at
      AND NOT EXISTS (
        SELECT 1 FROM "Session" s
        WHERE s."userId" = a."userId"
          AND (s."createdAt" >= cutoff.at
            OR s.expires - ${sessionIdleSeconds}::integer * interval '1 second' >= cutoff.at)
      )
    ORDER BY a."connectedAt"
    LIMIT ${LAPSE_BATCH}`;
  let count = 0;
  for (const { id } of candidates) {
    try {
      if (await lapsed(id, queueRevocations)) count += 1;
    } catch (error) {
      log.warn("connection not lapsed; tried again on the next run", {
        accountId: id,
        error: errorMessage(error),
      });
    }
  }
  return { lapsed: count };
}
