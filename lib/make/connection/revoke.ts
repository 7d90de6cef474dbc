/**
 * Revoke: the connection is cut locally at once, in one transaction that queues RFC 7009 revocation of both
 * tokens and commits only if the row still holds the tokens it read (tokenVersion); Make is then asked from
 * the queue (PendingRevocation), with backoff up to MAX_ATTEMPTS. Tokens dropped elsewhere go the same way.
 * Edit it to change how revocations are queued or delivered; what it guarantees: docs/security.md.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { outliveResponse } from "@/lib/background-work";
import { db, type Transaction } from "@/lib/db";
import { unreadableColumns } from "@/lib/db/encrypted-columns";
import { errorMessage, log } from "@/lib/log";
import {
  authorizationServer,
  errorCode,
  revokeAtMake,
  TOKEN_TIMEOUT_MS,
} from "@/lib/make/connection/authorization-server";
import { revoked } from "@/lib/make/connection/state";
import { recordConnectionEvent } from "@/lib/make/connection/events";

const retryDelayMs = (attempts: number) => Math.min(10_000 * 2 ** (attempts - 1), 60 * 60_000);
/** Failed deliveries of one token before it is given up (the backoff above spreads them over hours). */
const MAX_ATTEMPTS = 10;
/** A queued token sealed under a key this process lacks waits for a process that holds it. */
const UNKNOWN_KEY_RETRY_MS = 60_000;
/** Revocation requests in flight at once in one run; each claims a few rows and sends them in order. */
const DELIVERY_CONCURRENCY = 4;
const CLAIM_BATCH = 2;
/** How long a delivery started by a user's own request (Revoke, the dashboard) may keep going. */
const USER_DELIVERY_BUDGET_MS = 20_000;

type TokenTypeHint = "access_token" | "refresh_token";

/** Access token first: many servers (Make's stand-in too) end the whole grant with the refresh token. */
function revocationsOf(tokens: { accessToken?: string | null; refreshToken?: string | null }) {
  return [
    { token: tokens.accessToken, tokenTypeHint: "access_token" as TokenTypeHint },
    { token: tokens.refreshToken, tokenTypeHint: "refresh_token" as TokenTypeHint },
  ].filter((entry): entry is { token: string; tokenTypeHint: TokenTypeHint } => !!entry.token);
}

/**
 * Queues the revocation of `tokens` (inside the caller's transaction, when given one); returns the rows'
 * ids. The foreign key refuses a user already deleted: outside a transaction the rows are then queued
 * without the user, so a late renewal never names them again.
 */
export async function queueRevocations(
  tx: Transaction,
  userId: string | null,
  tokens: { accessToken?: string | null; refreshToken?: string | null },
): Promise<string[]> {
  const entries = revocationsOf(tokens).map((entry) => ({ id: randomUUID(), ...entry }));
  if (entries.length === 0) return [];
  const write = (owner: string | null) =>
    tx.pendingRevocation.createMany({ data: entries.map((entry) => ({ userId: owner, ...entry })) });
  try {
    await write(userId);
  } catch (error) {
    const userGone = (error as { code?: string }).code === "P2003";
    if (!userGone || tx !== db) throw error;
    await write(null);
  }
  return entries.map((entry) => entry.id);
}

export async function revokeMakeConnection(userId: string): Promise<{ confirmed: boolean }> {
  if (!(await revoked(userId, (tx, tokens) => queueRevocations(tx, userId, tokens))))
    return { confirmed: true };
  // The cut is committed: from here on, nothing may make the action fail.
  let confirmed = false;
  try {
    confirmed = (await deliverPendingRevocations({ userId })).remaining === 0;
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
  if ((await queueRevocations(db, userId, tokens)).length === 0) return;
  void outliveResponse("revocation delivery", deliverPendingRevocations({ userId }));
}

export interface RevocationRun {
  /** Revocations Make confirmed in this run. */
  delivered: number;
  /** Deliveries that failed and wait for their next attempt. */
  retrying: number;
  /** Revocations given up in this run (recorded as `revocation_failed`). */
  givenUp: number;
  /** Rows still queued when the run ended (of the user, or all), due or not. */
  remaining: number;
}

/**
 * Sends every due revocation (of one user, or all), DELIVERY_CONCURRENCY at a time, until none is due or
 * `budgetMs` is nearly spent: after its first, a worker claims a batch only if the batch's requests (each
 * bounded by TOKEN_TIMEOUT_MS) end within it. Safe
 * to run in several processes at once: each run claims the rows it sends (`claimedUntil`, on the
 * database's clock), so a revocation is delivered by one run only.
 */
export async function deliverPendingRevocations(
  filter: { userId?: string; ids?: string[] } = {},
  budgetMs = USER_DELIVERY_BUDGET_MS,
): Promise<RevocationRun> {
  const deadline = Date.now() + budgetMs;
  const run = { delivered: 0, retrying: 0, givenUp: 0 };
  await authorizationServer().catch(() => undefined);
  const batchEndsInTime = () => Date.now() + CLAIM_BATCH * TOKEN_TIMEOUT_MS <= deadline;
  const worker = async () => {
    // Each worker sends one batch whatever the budget, so a run always makes progress.
    for (let first = true; first || batchEndsInTime(); first = false) {
      const claimed = await claimDueRevocations(filter);
      if (claimed.length === 0) return;
      for (const pending of claimed) run[await deliver(pending)] += 1;
    }
  };
  // One user's few tokens go one after another, in queue order (access token first); the whole queue goes
  // DELIVERY_CONCURRENCY at a time.
  const workers = filter.userId || filter.ids ? 1 : DELIVERY_CONCURRENCY;
  await Promise.all(Array.from({ length: workers }, worker));
  const where = { userId: filter.userId, id: filter.ids && { in: filter.ids } };
  return { ...run, remaining: await db.pendingRevocation.count({ where }) };
}

/** Claims up to CLAIM_BATCH due rows for long enough to send each of them (each request is bounded). */
async function claimDueRevocations({ userId, ids }: { userId?: string; ids?: string[] }) {
  const claimMs = CLAIM_BATCH * TOKEN_TIMEOUT_MS + 30_000;
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "PendingRevocation"
    SET "claimedUntil" = (now() AT TIME ZONE 'UTC') + ${claimMs}::integer * interval '1 millisecond'
    WHERE id IN (
      SELECT id FROM "PendingRevocation"
      WHERE "nextAttemptAt" <= (now() AT TIME ZONE 'UTC')
        AND ("claimedUntil" IS NULL OR "claimedUntil" < (now() AT TIME ZONE 'UTC'))
        AND (${userId ?? null}::text IS NULL OR "userId" = ${userId ?? null}::text)
        AND (${ids ?? null}::text[] IS NULL OR id = ANY(${ids ?? null}::text[]))
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

type Outcome = "delivered" | "retrying" | "givenUp";

/**
 * A delivery's activity entry, best-effort: the user may be gone (account deletion leaves their queue
 * without a userId, or deletes them a moment after), and then there is nobody to tell.
 */
async function recordQueueEvent(
  userId: string | null,
  ...entry: DropFirst<Parameters<typeof recordConnectionEvent>>
) {
  if (!userId) return;
  await recordConnectionEvent(userId, ...entry).catch((error) =>
    log.warn("could not record a revocation's outcome", { userId, error: errorMessage(error) }),
  );
}
type DropFirst<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;

async function deliver(pending: Awaited<ReturnType<typeof claimDueRevocations>>[number]): Promise<Outcome> {
  const unreadable = unreadableColumns(pending).token;
  if (unreadable?.reason === "unknown_key") {
    // Sealed by a deployment with another key: another process (or a later one) can send it.
    await db.pendingRevocation.update({
      where: { id: pending.id },
      data: { nextAttemptAt: new Date(Date.now() + UNKNOWN_KEY_RETRY_MS), claimedUntil: null },
    });
    return "retrying";
  }
  // A token that fails authentication under a held key can never be sent: drop it, say so.
  if (!pending.token) return giveUp(pending, "token_unreadable");
  try {
    await revokeAtMake(pending.token, pending.tokenTypeHint as TokenTypeHint);
  } catch (error) {
    const attempts = pending.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) return giveUp(pending, errorCode(error), attempts);
    await db.pendingRevocation.update({
      where: { id: pending.id },
      data: {
        attempts,
        lastError: errorCode(error),
        nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)),
        claimedUntil: null,
      },
    });
    return "retrying";
  }
  await db.pendingRevocation.delete({ where: { id: pending.id } });
  await recordQueueEvent(pending.userId, "revocation_confirmed", "ok");
  return "delivered";
}

/** The token is left to expire at Make: the row goes, the activity says which token and why. */
async function giveUp(
  pending: { id: string; userId: string | null; tokenTypeHint: string },
  code: string,
  attempts?: number,
): Promise<Outcome> {
  await db.pendingRevocation.delete({ where: { id: pending.id } });
  const tries = attempts ? ` after ${attempts} attempts` : "";
  await recordQueueEvent(pending.userId, "revocation_failed", "error", {
    errorCode: code,
    detail: `${pending.tokenTypeHint} not revoked at Make${tries}; it stays valid until it expires`,
  });
  return "givenUp";
}
