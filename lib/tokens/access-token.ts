/**
 * `getMakeAccessToken(userId)`: the one function that hands out a Make access token, refreshing it
 * shortly before it expires (TOKEN_REFRESH_MARGIN_SECONDS, default 60 s).
 *
 * Make rotates refresh tokens and kills the whole grant when a used one comes back, so two refreshes of
 * the same token would sign the user out of Make. Hence exactly one refresh per expiry:
 * - inside one process, concurrent callers share one in-flight promise;
 * - across processes, the database decides: a caller claims a short lease on the account row with a
 *   compare-and-swap on `tokenVersion`, and only the lease holder calls Make; the others poll the row
 *   (bounded) until the holder has written the new token set, then return it.
 * The new access token and the rotated refresh token are written in one UPDATE guarded by the lease.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { db } from "@/lib/db";
import { errorCode, isInvalidGrant, refreshGrant } from "@/lib/make/authorization-server";
import { recordConnectionEvent } from "@/lib/connection/events";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { HEALTHY, WITHOUT_TOKENS } from "@/lib/tokens/account-updates";

export interface MakeAccessToken {
  accessToken: string;
  expiresAt: number;
  sub: string;
}

const POLL_MS = 40;
/** Longer than a token request can take (it is cut off at MAKE_TOKEN_TIMEOUT_MS) plus the write. */
const leaseMs = () => env.MAKE_TOKEN_TIMEOUT_MS + 5_000;
/** Transient failures back off: 5 s, 10 s, 20 s, … up to 5 minutes. */
const backoffMs = (failures: number) => Math.min(5_000 * 2 ** (failures - 1), 5 * 60_000);

const accountSelect = {
  id: true,
  userId: true,
  providerAccountId: true,
  state: true,
  access_token: true,
  refresh_token: true,
  expires_at: true,
  scope: true,
  tokenVersion: true,
  refreshFailures: true,
  nextRetryAt: true,
  refreshLeaseUntil: true,
} as const;

export type TokenRow = NonNullable<Awaited<ReturnType<typeof loadAccount>>>;

const loadAccount = (where: { id: string } | { userId: string }) =>
  db.account.findFirst({ where: { ...where, provider: "make" }, select: accountSelect });

const nowSeconds = () => Date.now() / 1000;
/** True while the token is outside the refresh margin: handing it out needs no request to Make. */
export const isFresh = (row: TokenRow) =>
  !!row.access_token && row.expires_at !== null && row.expires_at - nowSeconds() > env.TOKEN_REFRESH_MARGIN_SECONDS;
const isUnexpired = (row: TokenRow) => !!row.access_token && row.expires_at !== null && row.expires_at > nowSeconds();
const handOut = (row: TokenRow): MakeAccessToken => ({
  accessToken: row.access_token!,
  expiresAt: row.expires_at!,
  sub: row.providerAccountId,
});

const inFlight = new Map<string, Promise<MakeAccessToken>>();

/**
 * A valid Make access token for the user. `preloaded` is the user's Make account row when the caller has
 * already read it in this request (lib/auth/session.ts does), so a fresh token costs no query at all.
 */
export async function getMakeAccessToken(userId: string, preloaded?: TokenRow | null): Promise<MakeAccessToken> {
  const row = preloaded === undefined ? await loadAccount({ userId }) : preloaded;
  if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
  assertUsable(row);
  if (isFresh(row)) return handOut(row);
  return sharedRefresh(row.id);
}

/**
 * Make's REST API refused `rejectedAccessToken` (401) before its stored expiry, e.g. revoked at Make.
 * Renews it once: concurrent callers share the refresh and other processes respect the lease. When the
 * stored token already differs from the rejected one, someone renewed it meanwhile and that token is used.
 */
export async function renewRejectedAccessToken(userId: string, rejectedAccessToken: string): Promise<MakeAccessToken> {
  const row = await loadAccount({ userId });
  if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
  assertUsable(row);
  if (row.access_token && row.access_token !== rejectedAccessToken && isUnexpired(row)) return handOut(row);
  const shared = await sharedRefresh(row.id, rejectedAccessToken);
  return shared.accessToken === rejectedAccessToken ? refreshOnce(row.id, rejectedAccessToken) : shared;
}

function sharedRefresh(accountId: string, rejectedAccessToken?: string): Promise<MakeAccessToken> {
  let refresh = inFlight.get(accountId);
  if (!refresh) {
    refresh = refreshOnce(accountId, rejectedAccessToken).finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, refresh);
  }
  return refresh;
}

function assertUsable(row: TokenRow) {
  if (row.state === "reauth_required") {
    throw new MakeConnectionError("reauth_required", "Make asked for the connection to be renewed.");
  }
  if (row.state === "revoked") throw new MakeConnectionError("revoked", "The Make connection was revoked.");
}

/** Claims the refresh lease or waits for whoever holds it; bounded by twice the lease. */
async function refreshOnce(accountId: string, rejectedAccessToken?: string): Promise<MakeAccessToken> {
  const usable = (row: TokenRow) =>
    rejectedAccessToken === undefined ? isFresh(row) : isUnexpired(row) && row.access_token !== rejectedAccessToken;
  const deadline = Date.now() + 2 * leaseMs();
  while (Date.now() < deadline) {
    const row = await loadAccount({ id: accountId });
    if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
    assertUsable(row);
    if (usable(row)) return handOut(row);
    if (!row.refresh_token) return expireWithoutRefreshToken(row);
    if (row.nextRetryAt && row.nextRetryAt.getTime() > Date.now()) return withinBackoff(row);
    const leaseId = randomUUID();
    const claimed = await db.account.updateMany({
      where: {
        id: row.id,
        tokenVersion: row.tokenVersion,
        OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: new Date() } }],
      },
      data: { refreshLeaseId: leaseId, refreshLeaseUntil: new Date(Date.now() + leaseMs()) },
    });
    if (claimed.count === 1) return refreshWithLease(row, leaseId);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
  }
  throw new MakeConnectionError("refresh_busy", "Another server is still renewing the Make connection.");
}

async function refreshWithLease(row: TokenRow, leaseId: string): Promise<MakeAccessToken> {
  const leased = { id: row.id, refreshLeaseId: leaseId };
  let tokens;
  try {
    tokens = await refreshGrant(row.refresh_token!);
  } catch (error) {
    return isInvalidGrant(error) ? markReauthRequired(row, leaseId) : recordTransientFailure(row, leaseId, error);
  }
  const written = await db.account.updateMany({
    where: leased,
    data: {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken ?? row.refresh_token,
      ...(tokens.idToken ? { id_token: tokens.idToken } : {}),
      expires_at: tokens.expiresAt,
      scope: tokens.scope ?? row.scope,
      token_type: tokens.tokenType,
      lastRefreshedAt: new Date(),
      ...HEALTHY,
      tokenVersion: { increment: 1 },
    },
  });
  if (written.count !== 1) {
    // The row changed under the lease (revoked or reconnected meanwhile): its new state wins.
    const current = await loadAccount({ id: row.id });
    if (current) assertUsable(current);
    if (current && isUnexpired(current)) return handOut(current);
    throw new MakeConnectionError("refresh_busy", "The Make connection changed while it was being renewed.");
  }
  await recordConnectionEvent(row.userId, "refreshed", "ok");
  return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, sub: row.providerAccountId };
}

async function markReauthRequired(row: TokenRow, leaseId: string | null, code = "invalid_grant"): Promise<never> {
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
  await recordConnectionEvent(row.userId, "reauth_required", "error", { errorCode: code });
  throw new MakeConnectionError("reauth_required", "Make asked for the connection to be renewed.");
}

/** A public client gets no refresh token: once the access token expires, the user must reconnect. */
async function expireWithoutRefreshToken(row: TokenRow): Promise<MakeAccessToken> {
  if (isUnexpired(row)) return handOut(row);
  return markReauthRequired(row, null, "access_token_expired");
}

function withinBackoff(row: TokenRow): MakeAccessToken {
  if (isUnexpired(row)) return handOut(row);
  throw new MakeConnectionError("make_unavailable", "Make could not be reached; the connection will be renewed shortly.");
}

async function recordTransientFailure(row: TokenRow, leaseId: string, error: unknown): Promise<MakeAccessToken> {
  const failures = row.refreshFailures + 1;
  const code = errorCode(error);
  await db.account.updateMany({
    where: { id: row.id, refreshLeaseId: leaseId },
    data: {
      lastError: code,
      lastErrorAt: new Date(),
      refreshFailures: failures,
      nextRetryAt: new Date(Date.now() + backoffMs(failures)),
      refreshLeaseId: null,
      refreshLeaseUntil: null,
    },
  });
  await recordConnectionEvent(row.userId, "refresh_failed", "error", { errorCode: code });
  return withinBackoff(row);
}
