/**
 * What the holder of the refresh lease does: one refresh grant at Make, then the new token set written in
 * one UPDATE guarded by the lease. Once Make has answered, the rotated refresh token is the only one that
 * works, so it is never dropped: the write is retried while the lease lasts, and if the database stays
 * out of reach this process keeps the tokens, hands them out and keeps trying to write them.
 * Callers wait at most MAKE_TOKEN_TIMEOUT_MS; the request itself runs on under the lease, so an answer
 * that arrives late is stored instead of being lost with a refresh token Make has already used.
 */
import "server-only";
import type * as oauth from "oauth4webapi";
import { env } from "@/lib/env";
import { db } from "@/lib/db";
import {
  errorCode,
  isInvalidGrant,
  outcomeUnknown,
  refreshGrant,
  type RefreshedTokens,
} from "@/lib/make/authorization-server";
import { recordConnectionEvent } from "@/lib/connection/events";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { HEALTHY, WITHOUT_TOKENS } from "@/lib/tokens/account-updates";
import type { RefreshLease } from "@/lib/tokens/refresh-lease";
import { revokeDiscardedTokens } from "@/lib/tokens/revoke";
import {
  assertUsable,
  currentOrUnavailable,
  handOut,
  isUnexpired,
  loadAccount,
  nowSeconds,
  type MakeAccessToken,
  type TokenRow,
} from "@/lib/tokens/token-row";

/**
 * Failures back off: 5 s, 10 s, 20 s, … up to 5 minutes. A refresh whose answer was lost (timeout,
 * dropped connection) may have used up the refresh token at Make, so it waits longer before trying again.
 */
const backoffMs = (failures: number, unknown: boolean) =>
  Math.min((unknown ? 60_000 : 5_000) * 2 ** (failures - 1), 5 * 60_000);
/** Between attempts to write tokens Make has already issued. */
const FIRST_WRITE_PAUSE_MS = 100;
const MAX_WRITE_PAUSE_MS = 2_000;

const TIMED_OUT = Symbol("timed out");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the refresh under `lease`; returns within MAKE_TOKEN_TIMEOUT_MS with the new or the current token. */
export async function renewUnderLease(
  row: TokenRow,
  lease: RefreshLease,
  as: oauth.AuthorizationServer,
): Promise<MakeAccessToken> {
  const outcome = settleRefresh(row, lease, as);
  outcome.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const patience = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, env.MAKE_TOKEN_TIMEOUT_MS, TIMED_OUT);
  });
  try {
    const first = await Promise.race([outcome, patience]);
    if (first !== TIMED_OUT) return first;
  } finally {
    clearTimeout(timer);
  }
  await db.account
    .updateMany({
      where: { id: row.id, refreshLeaseId: lease.id },
      data: { lastError: "timeout", lastErrorAt: new Date() },
    })
    .catch((error) =>
      console.error(`[tokens] account ${row.id}: could not record a slow renewal:`, error?.message),
    );
  return currentOrUnavailable(row);
}

async function settleRefresh(row: TokenRow, lease: RefreshLease, as: oauth.AuthorizationServer) {
  let tokens: RefreshedTokens;
  try {
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(lease.requestRemainingMs())));
    tokens = await refreshGrant(as, row.refresh_token!, signal);
  } catch (error) {
    if (!isInvalidGrant(error)) return recordRefreshFailure(row, { refreshLeaseId: lease.id }, error);
    const afterLostAnswer = row.lastError === "timeout" || row.lastError === "network_error";
    return markReauthRequired(
      row,
      lease.id,
      afterLostAnswer ? "invalid_grant_after_timeout" : "invalid_grant",
    );
  }
  return saveRefreshedTokens(row, lease, tokens);
}

type WriteResult = "written" | "lost";

async function saveRefreshedTokens(row: TokenRow, lease: RefreshLease, tokens: RefreshedTokens) {
  const token = { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, sub: row.providerAccountId };
  const data = {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken ?? row.refresh_token,
    ...(tokens.idToken ? { id_token: tokens.idToken } : {}),
    expires_at: tokens.expiresAt,
    accessTokenLifetime: tokens.expiresIn,
    scope: tokens.scope ?? row.scope,
    token_type: tokens.tokenType,
    lastRefreshedAt: new Date(),
    ...HEALTHY,
    tokenVersion: { increment: 1 },
  };
  const write = async (): Promise<WriteResult> => {
    const written = await db.account.updateMany({ where: { id: row.id, refreshLeaseId: lease.id }, data });
    if (written.count === 1) return "written";
    // An earlier attempt may have committed although its answer never arrived.
    const current = await db.account.findUnique({ where: { id: row.id }, select: { access_token: true } });
    return current?.access_token === tokens.accessToken ? "written" : "lost";
  };
  for (let pause = FIRST_WRITE_PAUSE_MS; ; pause = Math.min(2 * pause, MAX_WRITE_PAUSE_MS)) {
    try {
      if ((await withinMs(write(), lease.writeRemainingMs())) === "lost")
        return discardStaleRefresh(row, tokens);
      await recordConnectionEvent(row.userId, "refreshed", "ok").catch(() => {});
      return token;
    } catch (error) {
      if (lease.writeRemainingMs() < pause) return keepUnwritten(row, tokens, token, write, error);
      await sleep(pause);
    }
  }
}

/** `work`, or a rejection once `ms` have passed (a query stuck on a dead connection must not hold the lease). */
async function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the database did not answer in time")), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The row changed under the lease (revoked, reconnected, or the lease was lost): its state wins, and the
 * tokens Make just issued, valid but unused, are revoked.
 */
async function discardStaleRefresh(row: TokenRow, tokens: RefreshedTokens): Promise<MakeAccessToken> {
  await revokeDiscardedTokens(row.userId, {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  });
  const current = await loadAccount({ id: row.id });
  if (current) assertUsable(current);
  if (current && isUnexpired(current)) return handOut(current);
  throw new MakeConnectionError("refresh_busy", "The Make connection changed while it was being renewed.");
}

interface KeptTokens {
  token: MakeAccessToken;
  write(): Promise<WriteResult>;
  tokens: RefreshedTokens;
}

/** Renewed tokens this process could not write yet, by user id. */
const unwritten = new Map<string, KeptTokens>();
const UNWRITTEN_RETRY_MS = 1_000;

function keepUnwritten(
  row: TokenRow,
  tokens: RefreshedTokens,
  token: MakeAccessToken,
  write: () => Promise<WriteResult>,
  error: unknown,
): MakeAccessToken {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(
    `[tokens] account ${row.id}: the renewed Make tokens could not be saved (${reason}); ` +
      "this process keeps using them and retries the write",
  );
  unwritten.set(row.userId, { token, write, tokens });
  const retry = async () => {
    const kept = unwritten.get(row.userId);
    if (!kept) return;
    try {
      const result = await kept.write();
      unwritten.delete(row.userId);
      if (result === "lost") await revokeDiscardedTokens(row.userId, kept.tokens);
      else await recordConnectionEvent(row.userId, "refreshed", "ok");
      console.error(
        `[tokens] account ${row.id}: the kept Make tokens were ${result === "lost" ? "revoked" : "saved"}`,
      );
    } catch {
      setTimeout(retry, UNWRITTEN_RETRY_MS).unref();
    }
  };
  setTimeout(retry, UNWRITTEN_RETRY_MS).unref();
  return token;
}

/** A renewed token this process holds but could not write yet, while it is valid. */
export function keptToken(userId: string): MakeAccessToken | undefined {
  const kept = unwritten.get(userId);
  return kept && kept.token.expiresAt > nowSeconds() ? kept.token : undefined;
}

export async function markReauthRequired(
  row: TokenRow,
  leaseId: string | null,
  code: string,
): Promise<never> {
  await db.account.updateMany({
    where: leaseId ? { id: row.id, refreshLeaseId: leaseId } : { id: row.id, tokenVersion: row.tokenVersion },
    data: {
      ...WITHOUT_TOKENS,
      ...HEALTHY,
      state: "reauth_required",
      lastError: code,
      lastErrorAt: new Date(),
      tokenVersion: { increment: 1 },
    },
  });
  const detail =
    code === "invalid_grant_after_timeout"
      ? "An earlier renewal got no answer from Make in time; Make had most likely renewed the connection " +
        "then, so the refresh token held here was already used. Reconnect to continue."
      : undefined;
  await recordConnectionEvent(row.userId, "reauth_required", "error", { errorCode: code, detail });
  throw new MakeConnectionError("reauth_required", "Make asked for the connection to be renewed.");
}

/**
 * A failure that leaves the connection alive (5xx, timeout, network): recorded with the next retry time,
 * the lease released. `guard` is the lease, or the row version when no lease was taken.
 */
export async function recordRefreshFailure(
  row: TokenRow,
  guard: { refreshLeaseId: string } | { tokenVersion: number },
  error: unknown,
  rejectedAccessToken?: string,
): Promise<MakeAccessToken> {
  const failures = row.refreshFailures + 1;
  const code = errorCode(error);
  const unknown = "refreshLeaseId" in guard && outcomeUnknown(error);
  try {
    await db.account.updateMany({
      where: { id: row.id, ...guard },
      data: {
        lastError: code,
        lastErrorAt: new Date(),
        refreshFailures: failures,
        nextRetryAt: new Date(Date.now() + backoffMs(failures, unknown)),
        refreshLeaseId: null,
        refreshLeaseUntil: null,
      },
    });
    const detail = unknown ? "Make's answer did not arrive; the next attempt waits longer" : undefined;
    await recordConnectionEvent(row.userId, "refresh_failed", "error", { errorCode: code, detail });
  } catch (writeError) {
    console.error(
      `[tokens] account ${row.id}: could not record a failed renewal:`,
      (writeError as Error)?.message,
    );
  }
  return currentOrUnavailable(row, rejectedAccessToken);
}
