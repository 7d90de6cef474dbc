/**
 * Revoke: the connection is cut locally at once, and Make is told with RFC 7009 revocation of the refresh
 * token and the access token. The local cut and the queueing of both revocations are one transaction that
 * commits only if the row still holds the tokens it read (tokenVersion), so a refresh finishing at the same
 * moment cannot slip a newer refresh token past it. Make is then asked from the queue (PendingRevocation),
 * retried until it confirms; tokens the app drops elsewhere while Make still honours them go the same way.
 */
import "server-only";
import { db, type Transaction } from "@/lib/db";
import { unreadableColumns } from "@/lib/db/encrypted-columns";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { authorizationServer, errorCode, revokeAtMake } from "@/lib/make/authorization-server";
import { forgotten, revoked, type HeldTokens } from "@/lib/make/connection";
import { recordConnectionEvent } from "@/lib/make/events";

/** How long account deletion lets Make confirm the revocations before it goes on without the answer. */
const FORGET_PATIENCE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const retryDelayMs = (attempts: number) => Math.min(10_000 * 2 ** (attempts - 1), 60 * 60_000);
/** A queued token sealed under a key this process lacks waits for a process that holds it. */
const UNKNOWN_KEY_RETRY_MS = 60_000;
/** Rows one delivery run claims at a time, and how many batches it sends at most. */
const CLAIM_BATCH = 10;
const MAX_BATCHES = 5;

type TokenTypeHint = "access_token" | "refresh_token";

/** Access token first: many servers (Make's stand-in too) end the whole grant with the refresh token. */
function revocationsOf(tokens: { accessToken?: string | null; refreshToken?: string | null }) {
  return [
    { token: tokens.accessToken, tokenTypeHint: "access_token" as TokenTypeHint },
    { token: tokens.refreshToken, tokenTypeHint: "refresh_token" as TokenTypeHint },
  ].filter((entry): entry is { token: string; tokenTypeHint: TokenTypeHint } => !!entry.token);
}

/** Queues the revocation of `tokens` inside the caller's transaction. */
async function queueRevocations(tx: Transaction, userId: string, tokens: HeldTokens) {
  for (const entry of revocationsOf(tokens))
    await tx.pendingRevocation.create({ data: { userId, ...entry } });
}

export async function revokeMakeConnection(userId: string): Promise<{ confirmed: boolean }> {
  if (!(await revoked(userId, (tx, tokens) => queueRevocations(tx, userId, tokens))))
    return { confirmed: true };
  // The cut is committed: from here on, nothing may make the action fail.
  let confirmed = false;
  try {
    confirmed = await deliverPendingRevocations({ userId });
    await recordConnectionEvent(userId, "revoked", confirmed ? "ok" : "pending");
  } catch (error) {
    log.warn("revoked here; Make is told later", { userId, error: errorMessage(error) });
  }
  return { confirmed };
}

/**
 * Tokens the app drops while Make may still honour them (a renewal whose result lost to a revoke or a new
 * sign-in, a sign-in replacing live tokens): queued for revocation, and a delivery started.
 */
export async function revokeDiscardedTokens(
  userId: string,
  tokens: { accessToken?: string | null; refreshToken?: string | null },
): Promise<void> {
  const entries = revocationsOf(tokens);
  if (entries.length === 0) return;
  await db.$transaction(entries.map((entry) => db.pendingRevocation.create({ data: { userId, ...entry } })));
  deliverPendingRevocations({ userId }).catch((error) =>
    log.warn("revocation delivery failed", { userId, error: errorMessage(error) }),
  );
}

/**
 * Sends every due revocation (of one user, or all); true when none is left waiting. Safe to run in
 * several processes at once: each run claims the rows it sends (`claimedUntil`, on the database's clock),
 * so a revocation is delivered by one run only.
 */
export async function deliverPendingRevocations(filter: { userId?: string } = {}): Promise<boolean> {
  await authorizationServer().catch(() => undefined);
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const claimed = await claimDueRevocations(filter.userId);
    if (claimed.length === 0) break;
    for (const pending of claimed) await deliver(pending);
  }
  return (await db.pendingRevocation.count({ where: filter })) === 0;
}

/** Claims up to CLAIM_BATCH due rows for long enough to send each of them (each request is bounded). */
async function claimDueRevocations(userId: string | undefined) {
  const claimMs = CLAIM_BATCH * env.MAKE_TOKEN_TIMEOUT_MS + 30_000;
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "PendingRevocation"
    SET "claimedUntil" = (now() AT TIME ZONE 'UTC') + ${claimMs}::integer * interval '1 millisecond'
    WHERE id IN (
      SELECT id FROM "PendingRevocation"
      WHERE "nextAttemptAt" <= (now() AT TIME ZONE 'UTC')
        AND ("claimedUntil" IS NULL OR "claimedUntil" < (now() AT TIME ZONE 'UTC'))
        AND (${userId ?? null}::text IS NULL OR "userId" = ${userId ?? null}::text)
      ORDER BY "createdAt", "tokenTypeHint"
      LIMIT ${CLAIM_BATCH}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id`;
  if (rows.length === 0) return [];
  return db.pendingRevocation.findMany({
    where: { id: { in: rows.map((row) => row.id) } },
    orderBy: [{ createdAt: "asc" }, { tokenTypeHint: "asc" }],
  });
}

async function deliver(pending: Awaited<ReturnType<typeof claimDueRevocations>>[number]) {
  const unreadable = unreadableColumns(pending).token;
  if (unreadable?.reason === "unknown_key") {
    // Sealed by a deployment with another key: another process (or a later one) can send it.
    await db.pendingRevocation.update({
      where: { id: pending.id },
      data: { nextAttemptAt: new Date(Date.now() + UNKNOWN_KEY_RETRY_MS), claimedUntil: null },
    });
    return;
  }
  // A token that fails authentication under a held key can never be sent: drop it, say so.
  if (!pending.token) {
    await db.pendingRevocation.delete({ where: { id: pending.id } });
    await recordForUser(pending.userId, "revocation_failed", "error", "token_unreadable");
    return;
  }
  try {
    await revokeAtMake(pending.token, pending.tokenTypeHint as TokenTypeHint);
  } catch (error) {
    const attempts = pending.attempts + 1;
    await db.pendingRevocation.update({
      where: { id: pending.id },
      data: {
        attempts,
        lastError: errorCode(error),
        nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)),
        claimedUntil: null,
      },
    });
    return;
  }
  await db.pendingRevocation.delete({ where: { id: pending.id } });
  await recordForUser(pending.userId, "revocation_confirmed", "ok");
}

/** A delivery's activity entry, for a user who still exists (a deleted user's queue has no user). */
async function recordForUser(
  userId: string | null,
  kind: "revocation_confirmed" | "revocation_failed",
  outcome: "ok" | "error",
  errorCode?: string,
) {
  if (!userId) return;
  // Best-effort: the revocation is delivered and its row gone, whatever happens to this entry (the user
  // may have been deleted a moment ago).
  await recordConnectionEvent(userId, kind, outcome, { errorCode }).catch((error) =>
    log.warn("could not record a revocation's outcome", { userId, error: errorMessage(error) }),
  );
}

/**
 * For account deletion, which never waits on Make for long. The connection is cut and both revocations
 * queued (one transaction, as for Revoke); Make is then asked, for FORGET_PATIENCE_MS at most, and what
 * Make has not confirmed by then stays queued for the sweep and the cron route. Then ONE transaction
 * deletes the Make account and its activity, runs `deleteAppRows` (the app's own rows of the user) and
 * detaches the queued revocations from the user: they keep their tokens until Make confirms, and no longer
 * say whose they were.
 */
export async function forgetMakeUser(
  userId: string,
  deleteAppRows: (tx: Transaction) => Promise<void> = async () => {},
): Promise<void> {
  if (await revoked(userId, (tx, tokens) => queueRevocations(tx, userId, tokens))) {
    const delivery = deliverPendingRevocations({ userId }).catch((error) =>
      log.warn("revocation delivery failed; Make is told later", { userId, error: errorMessage(error) }),
    );
    await Promise.race([delivery, sleep(FORGET_PATIENCE_MS)]);
  }
  await db.$transaction(async (tx) => {
    await forgotten(userId, tx);
    await tx.pendingRevocation.updateMany({ where: { userId }, data: { userId: null } });
    await deleteAppRows(tx);
  });
}
