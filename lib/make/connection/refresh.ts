/**
 * The refresh protocol: `getMakeAccessToken(userId)` hands out a Make access token, renewing it shortly
 * before it expires with exactly one refresh grant per expiry across every process: the single flight, the
 * lease, the tokens kept while the database is down, and every time budget. Why, and the timeline they
 * make: lib/make/README.md, "The refresh timeline"; keep the two in step when you edit either.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type * as oauth from "oauth4webapi";
import { outliveResponse } from "@/lib/background-work";
import { db } from "@/lib/db";
import { errorMessage, log } from "@/lib/log";
import { sleep } from "@/lib/timeouts";
import {
  authorizationServer,
  discoveredServer,
  errorCode,
  isInvalidGrant,
  outcomeUnknown,
  refreshGrant,
  TOKEN_TIMEOUT_MS,
  type RefreshedTokens,
} from "@/lib/make/connection/authorization-server";
import {
  assertUsable,
  currentOrUnavailable,
  handOut,
  isFresh,
  isUnexpired,
  nowSeconds,
  readConnection,
  recordAnswerProblem,
  reauthRequired,
  refreshed,
  refreshFailed,
  refreshSlow,
  type ConnectionRow,
  type MakeAccessToken,
  type RefreshWrite,
} from "@/lib/make/connection/state";
import { MakeConnectionError } from "@/lib/make/connection/errors";
import { revokeDiscardedTokens } from "@/lib/make/connection/revoke";
import { annotateSpan, traced } from "@/lib/make/connection/tracing";

// ─── Time budgets (T = TOKEN_TIMEOUT_MS) ──────────────────────────────────────────────────────────────────

/** A refresh request may run this many T: an answer that arrives late still saves the connection. */
const REQUEST_TIMEOUTS = 3;
/** After Make answered: how long the holder keeps trying to write the new tokens (retries included). */
const WRITE_BUDGET_MS = 15_000;
/** Room left between the end of the holder's work and the lease's expiry. */
export const SAFETY_MS = 10_000;
/** The lease, on the database's clock: 3T + write budget + safety. */
export const leaseMs = () => REQUEST_TIMEOUTS * TOKEN_TIMEOUT_MS + WRITE_BUDGET_MS + SAFETY_MS;
/** Callers wait for the holder at most T; for someone else's lease at most 2T. */
const callerPatienceMs = () => TOKEN_TIMEOUT_MS;
const waiterPatienceMs = () => 2 * TOKEN_TIMEOUT_MS;
/** How often a waiter re-reads the row (jittered up to twice this). */
const POLL_MS = 40;
/** Between attempts to write tokens Make has already issued: doubling from the first to the last. */
const FIRST_WRITE_PAUSE_MS = 100;
const MAX_WRITE_PAUSE_MS = 2_000;
/** How often tokens kept in memory are offered to the database again. */
const UNWRITTEN_RETRY_MS = 1_000;
/**
 * Failures back off: 5 s, 10 s, 20 s, … up to 5 minutes. A refresh whose answer was lost (timeout,
 * dropped connection) may have used up the refresh token at Make, so it waits longer before trying again.
 */
const backoffMs = (failures: number, unknown: boolean) =>
  Math.min((unknown ? 60_000 : 5_000) * 2 ** (failures - 1), 5 * 60_000);

// ─── The door: hand out a token ──────────────────────────────────────────────────────────────────────────

const inFlight = new Map<string, Promise<MakeAccessToken>>();

/**
 * A valid Make access token for the user. `preloaded` is the user's Make account row when the caller has
 * already read it in this request (the session read does), so a fresh token costs no query at all.
 */
export async function getMakeAccessToken(
  userId: string,
  preloaded?: ConnectionRow | null,
): Promise<MakeAccessToken> {
  const kept = keptToken(userId);
  if (kept) return kept;
  const row = preloaded === undefined ? await readConnection({ userId }) : preloaded;
  if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
  assertUsable(row);
  if (isFresh(row)) return handOut(row);
  // Someone in this process is renewing already: a token that is still valid serves without waiting.
  if (inFlight.has(row.id) && isUnexpired(row)) return handOut(row);
  return sharedRefresh(row.id, undefined, row);
}

/** True while this process renews the account's token (pages show the status they read meanwhile). */
export const renewalInFlight = (accountId: string) => inFlight.has(accountId);

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
  const row = await readConnection({ userId });
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
  const row = await readConnection({ userId });
  if (row?.access_token === refusedAccessToken) {
    // The tokens it drops may still be honoured somewhere: they go to the revocation queue.
    const held = { accessToken: row.access_token, refreshToken: row.refresh_token };
    await reauthRequired(row, { tokenVersion: row.tokenVersion }, "access_token_refused", () =>
      revokeDiscardedTokens(userId, held),
    );
  }
  throw new MakeConnectionError("reauth_required", "Make refused the renewed access token too.");
}

/**
 * Background renewal (lib/make/ops/maintenance.ts): a refresh under the same lease even though the token may
 * be fresh, so an idle connection's refresh token is exchanged before Make lets it lapse. Null when there
 * is nothing to do: no refresh token, or the row changed since the caller saw it at `seenVersion`
 * (renewed, reconnected or revoked meanwhile). "pending" when Make has not answered within the callers'
 * patience: the request runs on under the lease, registered with the platform.
 */
export async function renewConnection(
  userId: string,
  seenVersion: number,
): Promise<"renewed" | "pending" | null> {
  const row = await readConnection({ userId });
  if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
  assertUsable(row);
  if (row.tokenVersion !== seenVersion || !row.refresh_token) return null;
  // The current token counts as used up: only a refresh, ours or a concurrent one, satisfies this call.
  try {
    await sharedRefresh(row.id, row.access_token ?? "");
  } catch (error) {
    // An expired token cannot be handed out while the renewal runs on: still pending, not failed.
    if (continuing.has(row.id)) return "pending";
    throw error;
  }
  return continuing.has(row.id) ? "pending" : "renewed";
}

// ─── In-process single flight, then the cross-process lease ──────────────────────────────────────────────

function sharedRefresh(
  accountId: string,
  rejectedAccessToken?: string,
  current?: ConnectionRow,
): Promise<MakeAccessToken> {
  let refresh = inFlight.get(accountId);
  if (!refresh) {
    const attributes = {
      "make.account_id": accountId,
      "make.refresh.forced": rejectedAccessToken !== undefined,
    };
    refresh = traced("make.refresh", attributes, () =>
      refreshOnce(accountId, rejectedAccessToken, current),
    ).finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, refresh);
  }
  return refresh;
}

/**
 * Renews the token unless someone else is doing so, whose result it waits for. With
 * `rejectedAccessToken`, that token counts as unusable however long it has left. Discovery runs before
 * the claim, so nothing slow but the token request itself runs under the lease. `current` is the row the
 * caller read in this request: the first claim is tried on it without reading it again (the claim checks
 * its version, so a stale row only costs a read afterwards).
 */
async function refreshOnce(
  accountId: string,
  rejectedAccessToken?: string,
  current?: ConnectionRow,
): Promise<MakeAccessToken> {
  const renewing = rejectedAccessToken !== undefined;
  const usable = (row: ConnectionRow) =>
    renewing ? isUnexpired(row) && row.access_token !== rejectedAccessToken : isFresh(row);
  const waitUntil = performance.now() + waiterPatienceMs();
  let as = discoveredServer();
  let inHand = current;
  for (;;) {
    const row = inHand ?? (await readConnection({ id: accountId }));
    inHand = undefined;
    if (!row) throw new MakeConnectionError("not_connected", "No Make account is connected.");
    assertUsable(row);
    if (usable(row)) return handOut(row);
    if (!row.refresh_token) return withoutRefreshToken(row, rejectedAccessToken);
    if (row.nextRetryAt && row.nextRetryAt.getTime() > Date.now())
      return currentOrUnavailable(row, rejectedAccessToken);
    if (!as) {
      try {
        as = await authorizationServer();
      } catch (error) {
        await refreshFailed(row, { tokenVersion: row.tokenVersion }, failureOf(row, error, false));
        return currentOrUnavailable(row, rejectedAccessToken);
      }
      continue; // discovery may have been slow: read the row again
    }
    const lease = await claimRefreshLease(row);
    annotateSpan({ "make.refresh.lease": lease ? "claimed" : "waited" });
    if (lease) return renewUnderLease(row, lease, as);
    // Someone else is renewing: a token that is still valid serves meanwhile, an expired one waits.
    if (!renewing && isUnexpired(row)) return handOut(row);
    if (performance.now() > waitUntil) {
      throw new MakeConnectionError("refresh_busy", "Another server is still renewing the Make connection.");
    }
    await sleep(POLL_MS + Math.random() * POLL_MS);
  }
}

/** A public client gets no refresh token: once the access token expires or is refused, the user must reconnect. */
async function withoutRefreshToken(
  row: ConnectionRow,
  rejectedAccessToken?: string,
): Promise<MakeAccessToken> {
  if (isUnexpired(row) && row.access_token !== rejectedAccessToken) return handOut(row);
  return reauthRequired(
    row,
    { tokenVersion: row.tokenVersion },
    rejectedAccessToken ? "access_token_rejected" : "access_token_expired",
  );
}

interface RefreshLease {
  id: string;
  /** Milliseconds until the token request must have been cut off. */
  requestRemainingMs(): number;
  /** Milliseconds left for writing the new tokens. */
  writeRemainingMs(): number;
  /** Milliseconds until the lease ends, by the holder's clock (the database's ends a little later). */
  remainingMs(): number;
}

/**
 * Claims the lease on `row` if nobody holds an unexpired one and the row is still at `tokenVersion`. The
 * database's clock decides when a lease expires; the holder budgets its own work by a monotonic clock
 * started before the claim was sent, so it always stops before the database would let anyone else in.
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
  const writeDeadline = sentAt + leaseMs() - SAFETY_MS;
  const requestDeadline = writeDeadline - WRITE_BUDGET_MS;
  return {
    id,
    requestRemainingMs: () => requestDeadline - performance.now(),
    writeRemainingMs: () => writeDeadline - performance.now(),
    remainingMs: () => sentAt + leaseMs() - performance.now(),
  };
}

// ─── What the lease holder does ──────────────────────────────────────────────────────────────────────────

const TIMED_OUT = Symbol("timed out");

/** Renewals this process runs on past their callers' patience, by account id, until they settle. */
const continuing = new Map<string, Promise<MakeAccessToken>>();

/**
 * Runs the refresh under `lease`; returns within the callers' patience with the new or the current token.
 * The request and the write of its answer are registered with the platform before anything is awaited:
 * on a serverless instance, the answer to a slow Make must still be stored after the response is sent.
 */
async function renewUnderLease(
  row: ConnectionRow,
  lease: RefreshLease,
  as: oauth.AuthorizationServer,
): Promise<MakeAccessToken> {
  const outcome = settleRefresh(row, lease, as);
  // Its failures are recorded on the row and answered to the callers: nothing more to report here.
  void outliveResponse(
    "make.refresh",
    outcome.catch(() => undefined),
  );
  let timer: NodeJS.Timeout | undefined;
  const patience = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, callerPatienceMs(), TIMED_OUT);
  });
  try {
    const first = await Promise.race([outcome, patience]);
    if (first !== TIMED_OUT) return first;
  } finally {
    clearTimeout(timer);
  }
  // The request runs on under the lease, so an answer that arrives late is stored, not lost.
  continuing.set(row.id, outcome);
  void outcome.catch(() => {}).finally(() => continuing.delete(row.id));
  await refreshSlow(row, lease.id);
  return currentOrUnavailable(row);
}

/** A transient failure as refreshFailed records it; only a request under the lease can have a lost answer. */
function failureOf(row: ConnectionRow, error: unknown, underLease: boolean) {
  const unknown = underLease && outcomeUnknown(error);
  return {
    code: errorCode(error),
    retryInMs: backoffMs(row.refreshFailures + 1, unknown),
    detail: unknown ? "Make's answer did not arrive; the next attempt waits longer" : undefined,
  };
}

async function settleRefresh(row: ConnectionRow, lease: RefreshLease, as: oauth.AuthorizationServer) {
  let tokens: RefreshedTokens;
  try {
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(lease.requestRemainingMs())));
    tokens = await refreshGrant(as, row.refresh_token!, signal);
  } catch (error) {
    if (isInvalidGrant(error)) {
      const afterLostAnswer = row.lastError === "timeout" || row.lastError === "network_error";
      return reauthRequired(
        row,
        { refreshLeaseId: lease.id },
        afterLostAnswer ? "invalid_grant_after_timeout" : "invalid_grant",
      );
    }
    await refreshFailed(row, { refreshLeaseId: lease.id }, failureOf(row, error, true));
    return currentOrUnavailable(row);
  }
  return saveRefreshedTokens(row, lease, tokens);
}

/**
 * Once Make has answered, the rotated refresh token is the only one that works, so it is never dropped:
 * the write is retried while the lease lasts, and if the database stays out of reach this process keeps
 * the tokens, hands them out and keeps trying to write them.
 */
async function saveRefreshedTokens(row: ConnectionRow, lease: RefreshLease, tokens: RefreshedTokens) {
  const token = { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, sub: row.providerAccountId };
  const write = () => refreshed(row, lease.id, tokens);
  for (let pause = FIRST_WRITE_PAUSE_MS; ; pause = Math.min(2 * pause, MAX_WRITE_PAUSE_MS)) {
    try {
      if ((await withinMs(write(), lease.writeRemainingMs())) === "lost")
        return discardStaleRefresh(row, tokens);
      await recordAnswerProblem(row, tokens).catch(() => {});
      if (tokens.subject !== undefined && tokens.subject !== row.providerAccountId)
        return subjectChanged(row, tokens);
      return token;
    } catch (error) {
      if (lease.writeRemainingMs() < pause) return keepUnwritten(row, lease, { token, write, tokens }, error);
      await sleep(pause);
    }
  }
}

/**
 * Make's renewed id_token names another user than the one connected (OpenID Connect Core §12.2 forbids
 * it): the tokens just stored are someone else's by Make's word, so they are dropped and revoked, and the
 * user reconnects (lib/make/README.md, "the refresh timeline").
 */
async function subjectChanged(row: ConnectionRow, tokens: RefreshedTokens): Promise<never> {
  const revoke = () => revokeDiscardedTokens(row.userId, tokens);
  const current = await readConnection({ id: row.id });
  if (current?.access_token === tokens.accessToken)
    return reauthRequired(current, { tokenVersion: current.tokenVersion }, "subject_changed", revoke);
  await revoke();
  throw new MakeConnectionError("reauth_required", "Make named another user for this connection.");
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
 * The row changed under the lease (revoked, reconnected, or the lease was lost): its state wins. After a
 * Revoke, the tokens Make just issued are revoked too. After a sign-in (Reconnect, Grant access) they are
 * left to lapse unused, as a sign-in lets the tokens it replaces lapse: at a server where revoking any
 * token of a grant ends the whole grant (the stand-in does), revoking them would end the connection that
 * sign-in just made.
 */
async function discardStaleRefresh(row: ConnectionRow, tokens: RefreshedTokens): Promise<MakeAccessToken> {
  const current = await revokeLateTokens(row, tokens);
  if (current) assertUsable(current);
  if (current && isUnexpired(current)) return handOut(current);
  throw new MakeConnectionError("refresh_busy", "The Make connection changed while it was being renewed.");
}

// ─── Tokens kept unwritten ───────────────────────────────────────────────────────────────────────────────

/** Revokes what a late refresh got when the connection was ended here (see discardStaleRefresh). */
async function revokeLateTokens(row: ConnectionRow, tokens: RefreshedTokens) {
  const current = await readConnection({ id: row.id });
  if (!current || current.state === "revoked" || current.state === "lapsed")
    await revokeDiscardedTokens(row.userId, tokens);
  return current;
}

interface KeptTokens {
  token: MakeAccessToken;
  write(): Promise<RefreshWrite>;
  tokens: RefreshedTokens;
  row: ConnectionRow;
}

/** Renewed tokens this process could not write yet, by user id. */
const unwritten = new Map<string, KeptTokens>();

/**
 * Keeps tokens Make issued but the database would not take, hands them out, and offers them to the database
 * every second while the lease lasts, registered with the platform. After the lease, they are offered again
 * whenever they are handed out and on each sweep of a long-running server (offerKeptTokens).
 */
function keepUnwritten(
  row: ConnectionRow,
  lease: RefreshLease,
  kept: Omit<KeptTokens, "row">,
  error: unknown,
): MakeAccessToken {
  log.error("the renewed Make tokens could not be saved; this process keeps using them and retries", {
    accountId: row.id,
    error: errorMessage(error),
  });
  unwritten.set(row.userId, { ...kept, row });
  const offerWhileLeased = async () => {
    // The last offer starts a pause and an offer before the lease ends, so it ends within the lease.
    while (unwritten.has(row.userId) && lease.remainingMs() > 2 * UNWRITTEN_RETRY_MS) {
      await sleep(UNWRITTEN_RETRY_MS);
      await offerKeptTokens(row.userId);
    }
  };
  void outliveResponse("kept Make tokens", offerWhileLeased());
  return kept.token;
}

/** The offer under way, if any: one at a time, so kept tokens are never written twice at once. */
let offering: Promise<void> | undefined;

/** Offers kept tokens (one user's, or all) to the database once; written or found stale, they are let go. */
export function offerKeptTokens(userId?: string): Promise<void> {
  if (unwritten.size === 0) return Promise.resolve();
  offering ??= offerOnce(userId).finally(() => (offering = undefined));
  return offering;
}

async function offerOnce(userId?: string) {
  const entries = userId ? [[userId, unwritten.get(userId)] as const] : [...unwritten.entries()];
  for (const [owner, kept] of entries) {
    if (!kept || unwritten.get(owner) !== kept) continue;
    try {
      const result = await kept.write();
      if (unwritten.get(owner) === kept) unwritten.delete(owner);
      if (result === "lost") await revokeLateTokens(kept.row, kept.tokens);
      else await recordAnswerProblem(kept.row, kept.tokens);
      log.info(`the kept Make tokens were ${result === "lost" ? "revoked" : "saved"}`, {
        accountId: kept.row.id,
      });
    } catch {
      // Still unreachable: the next offer tries again.
    }
  }
}

/** When tokens are kept, each hand-out offers them again at most this often. */
let lastOfferAt = 0;

/** A renewed token this process holds but could not write yet, while it is valid. */
function keptToken(userId: string): MakeAccessToken | undefined {
  const kept = unwritten.get(userId);
  if (!kept || kept.token.expiresAt <= nowSeconds()) return undefined;
  if (performance.now() - lastOfferAt > UNWRITTEN_RETRY_MS) {
    lastOfferAt = performance.now();
    void outliveResponse("kept Make tokens", offerKeptTokens(userId));
  }
  return kept.token;
}
