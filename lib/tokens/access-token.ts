/**
 * `getMakeAccessToken(userId)`: the one function that hands out a Make access token, refreshing it
 * shortly before it expires (TOKEN_REFRESH_MARGIN_SECONDS, default 60 s, at most half the token's lifetime).
 *
 * Make rotates refresh tokens and kills the whole grant when a used one comes back, so two refreshes of
 * the same token would sign the user out of Make. Hence exactly one refresh per expiry:
 * - inside one process, concurrent callers share one in-flight promise;
 * - across processes, the database decides: a caller claims a lease on the account row
 *   (lib/tokens/refresh-lease.ts) and only the lease holder calls Make (lib/tokens/refresh.ts); the others
 *   hand out the current token while it is valid, or poll the row (bounded) until the holder has written.
 * Discovery happens before the claim, so nothing slow but the token request itself runs under the lease.
 */
import "server-only";
import { performance } from "node:perf_hooks";
import { env } from "@/lib/env";
import { authorizationServer } from "@/lib/make/authorization-server";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { claimRefreshLease } from "@/lib/tokens/refresh-lease";
import { keptToken, markReauthRequired, recordRefreshFailure, renewUnderLease } from "@/lib/tokens/refresh";
import {
  assertUsable,
  currentOrUnavailable,
  handOut,
  isFresh,
  isUnexpired,
  loadAccount,
  type MakeAccessToken,
  type TokenRow,
} from "@/lib/tokens/token-row";

export { isFresh, type MakeAccessToken, type TokenRow };

const POLL_MS = 40;

const inFlight = new Map<string, Promise<MakeAccessToken>>();

/**
 * A valid Make access token for the user. `preloaded` is the user's Make account row when the caller has
 * already read it in this request (lib/auth/session.ts does), so a fresh token costs no query at all.
 */
export async function getMakeAccessToken(
  userId: string,
  preloaded?: TokenRow | null,
): Promise<MakeAccessToken> {
  const kept = keptToken(userId);
  if (kept) return kept;
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
export async function renewRejectedAccessToken(
  userId: string,
  rejectedAccessToken: string,
): Promise<MakeAccessToken> {
  const kept = keptToken(userId);
  if (kept && kept.accessToken !== rejectedAccessToken) return kept;
  const row = await loadAccount({ userId });
  if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
  assertUsable(row);
  if (row.access_token !== rejectedAccessToken && isUnexpired(row)) return handOut(row);
  const shared = await sharedRefresh(row.id, rejectedAccessToken);
  return shared.accessToken === rejectedAccessToken ? refreshOnce(row.id, rejectedAccessToken) : shared;
}

/**
 * Make's API refused the token it was just renewed for: the grant is dead at Make (revoked there, or
 * ended). The connection becomes `reauth_required`, unless the stored token changed meanwhile.
 */
export async function markAccessTokenRefused(userId: string, refusedAccessToken: string): Promise<never> {
  const row = await loadAccount({ userId });
  if (row?.access_token === refusedAccessToken) await markReauthRequired(row, null, "access_token_refused");
  throw new MakeConnectionError("reauth_required", "Make refused the renewed access token too.");
}

function sharedRefresh(accountId: string, rejectedAccessToken?: string): Promise<MakeAccessToken> {
  let refresh = inFlight.get(accountId);
  if (!refresh) {
    refresh = refreshOnce(accountId, rejectedAccessToken).finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, refresh);
  }
  return refresh;
}

/**
 * Renews the token unless someone else is doing so; waits for theirs at most two MAKE_TOKEN_TIMEOUT_MS.
 * With `rejectedAccessToken`, that token counts as unusable however long it has left.
 */
async function refreshOnce(accountId: string, rejectedAccessToken?: string): Promise<MakeAccessToken> {
  const renewing = rejectedAccessToken !== undefined;
  const usable = (row: TokenRow) =>
    renewing ? isUnexpired(row) && row.access_token !== rejectedAccessToken : isFresh(row);
  // The holder's own callers have their answer within one timeout of its claim; this leaves room for that.
  const waitUntil = performance.now() + 2 * env.MAKE_TOKEN_TIMEOUT_MS;
  let as: Awaited<ReturnType<typeof authorizationServer>> | undefined;
  for (;;) {
    const row = await loadAccount({ id: accountId });
    if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
    assertUsable(row);
    if (usable(row)) return handOut(row);
    if (!row.refresh_token) return withoutRefreshToken(row, rejectedAccessToken);
    if (row.nextRetryAt && row.nextRetryAt.getTime() > Date.now())
      return currentOrUnavailable(row, rejectedAccessToken);
    if (!as) {
      // Discovery before the claim; the row is read again afterwards, as it may be slow.
      try {
        as = await authorizationServer();
      } catch (error) {
        return recordRefreshFailure(row, { tokenVersion: row.tokenVersion }, error, rejectedAccessToken);
      }
      continue;
    }
    const lease = await claimRefreshLease(row);
    if (lease) return renewUnderLease(row, lease, as);
    // Someone else is renewing: a token that is still valid serves meanwhile, an expired one waits.
    if (!renewing && isUnexpired(row)) return handOut(row);
    if (performance.now() > waitUntil) {
      throw new MakeConnectionError("refresh_busy", "Another server is still renewing the Make connection.");
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
  }
}

/** A public client gets no refresh token: once the access token expires or is refused, the user must reconnect. */
async function withoutRefreshToken(row: TokenRow, rejectedAccessToken?: string): Promise<MakeAccessToken> {
  if (isUnexpired(row) && row.access_token !== rejectedAccessToken) return handOut(row);
  return markReauthRequired(
    row,
    null,
    rejectedAccessToken ? "access_token_rejected" : "access_token_expired",
  );
}
