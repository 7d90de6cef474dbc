/**
 * The Make connection's state machine: the Account row as the module reads it, the questions asked of a
 * row, and every transition with its guard, its activity entry and, for those a product hears of, its
 * outbox event. Every write to a Make Account row goes through this file: add a transition here, and draw
 * it in lib/make/README.md ("The connection's states"), where the states and their reasons are.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import type { Account as SignInAccount } from "next-auth";
import { db, type Transaction } from "@/lib/db";
import { unreadableColumns } from "@/lib/db/encrypted-columns";
import { encryptColumn } from "@/lib/db/token-encryption";
import { clientType, env } from "@/lib/env";
import type { Account, Prisma } from "@/lib/generated/prisma/client";
import { errorMessage, log } from "@/lib/log";
import {
  DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
  type RefreshedTokens,
} from "@/lib/make/connection/authorization-server";
import { observeMake } from "@/lib/make/connection/observations";
import { recordConnectionEvent } from "@/lib/make/connection/events";
import { MakeConnectionError } from "@/lib/make/connection/errors";
import { deliverMakeEventsLater, enqueueMakeEvent, newEventId } from "@/lib/make/connection/outbox";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";
import { traced } from "@/lib/make/connection/tracing";
import { tunable } from "@/lib/test-tuning";

export interface MakeAccessToken {
  accessToken: string;
  expiresAt: number;
  sub: string;
}

const connectionSelect = {
  id: true,
  userId: true,
  providerAccountId: true,
  state: true,
  access_token: true,
  refresh_token: true,
  expires_at: true,
  accessTokenLifetime: true,
  scope: true,
  tokenVersion: true,
  lastError: true,
  refreshFailures: true,
  nextRetryAt: true,
  refreshLeaseUntil: true,
} as const;

/** What the token lifecycle reads of a Make Account row; a whole row (the session read's) fits too. */
export type ConnectionRow = Prisma.AccountGetPayload<{ select: typeof connectionSelect }> & {
  /** Set when a token is sealed under a key this process does not hold: the row must be left alone. */
  keyUnavailable?: boolean;
};

/** Reads the user's (or the row's) Make account, settling unreadable tokens first. */
export const readConnection = (where: { id: string } | { userId: string }) =>
  db.account
    .findFirst({ where: { ...where, provider: MAKE_PROVIDER_ID }, select: connectionSelect })
    .then(settleUnreadable);

// ─── Questions asked of a row ────────────────────────────────────────────────────────────────────────────

export const nowSeconds = () => Date.now() / 1000;

/**
 * How long before its expiry an access token is renewed. Default: 60 s, so a refresh (at most 3T, refresh.ts)
 * ends while the old token still works and no caller waits on Make.
 */
export const REFRESH_MARGIN_SECONDS = tunable("REFRESH_MARGIN_SECONDS", 60);

/**
 * REFRESH_MARGIN_SECONDS, but at most half the token's lifetime: a margin as long as the lifetime
 * would make every request refresh.
 */
export function refreshMarginSeconds(row: Pick<ConnectionRow, "accessTokenLifetime">): number {
  const lifetime = row.accessTokenLifetime;
  return lifetime ? Math.min(REFRESH_MARGIN_SECONDS, lifetime / 2) : REFRESH_MARGIN_SECONDS;
}

/** True while the token is outside the refresh margin: handing it out needs no request to Make. */
export const isFresh = (row: ConnectionRow) =>
  !!row.access_token && row.expires_at !== null && row.expires_at - nowSeconds() > refreshMarginSeconds(row);

export const isUnexpired = (row: ConnectionRow) =>
  !!row.access_token && row.expires_at !== null && row.expires_at > nowSeconds();

export const handOut = (row: ConnectionRow): MakeAccessToken => ({
  accessToken: row.access_token!,
  expiresAt: row.expires_at!,
  sub: row.providerAccountId,
});

export function assertUsable(row: Pick<ConnectionRow, "state" | "keyUnavailable">) {
  if (row.state === "reauth_required") {
    throw new MakeConnectionError("reauth_required", "Make asked for the connection to be renewed.");
  }
  if (row.state === "revoked") throw new MakeConnectionError("revoked", "The Make connection was revoked.");
  if (row.state === "lapsed") throw new MakeConnectionError("lapsed", "The Make connection lapsed unused.");
  if (row.keyUnavailable) {
    throw new MakeConnectionError(
      "key_unavailable",
      "The stored Make tokens are sealed under a key this server does not hold.",
    );
  }
}

/** While a renewal cannot happen: the current token if it is still valid (and not the one Make refused). */
export function currentOrUnavailable(row: ConnectionRow, rejectedAccessToken?: string): MakeAccessToken {
  if (isUnexpired(row) && row.access_token !== rejectedAccessToken) return handOut(row);
  throw new MakeConnectionError(
    "make_unavailable",
    "Make could not be reached; the connection will be renewed shortly.",
  );
}

// ─── Field sets ──────────────────────────────────────────────────────────────────────────────────────────

const WITHOUT_TOKENS = { access_token: null, refresh_token: null, id_token: null, expires_at: null } as const;

/** No refresh in flight and nothing to retry. */
const HEALTHY = {
  lastError: null,
  lastErrorAt: null,
  nextRetryAt: null,
  refreshFailures: 0,
  refreshLeaseId: null,
  refreshLeaseUntil: null,
} as const;

/** The guard of a write: the lease its holder claimed, or the row version read before it. */
export type RowGuard = { refreshLeaseId: string } | { tokenVersion: number };

// ─── Sign-in: connected, reconnected ─────────────────────────────────────────────────────────────────────

/** A user who already has a Make account tried to link a second one. */
export class MakeAccountMismatchError extends Error {
  override name = "MakeAccountMismatchError";
}

/** The token set from the code exchange, with everything the lifecycle tracks reset. */
function freshConnection(account: SignInAccount) {
  // No `expires_in` means Make's documented lifetime, never "valid until further notice".
  const lifetime =
    typeof account.expires_in === "number" && account.expires_in > 0
      ? account.expires_in
      : DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS;
  observeMake("sign_in.expires_in", account.expires_in ?? "absent");
  return {
    access_token: account.access_token ?? null,
    refresh_token: account.refresh_token ?? null,
    id_token: account.id_token ?? null,
    expires_at: account.expires_at ?? Math.floor(Date.now() / 1000) + lifetime,
    accessTokenLifetime: lifetime,
    scope: account.scope ?? env.AUTH_MAKE_SCOPE,
    token_type: account.token_type?.toString() ?? null,
    state: "active" as const,
    issuer: env.AUTH_MAKE_ISSUER,
    clientType: clientType(),
    connectedAt: new Date(),
    ...HEALTHY,
  };
}

/** The Make user id connected to `userId`, if any. */
export const connectedMakeUser = async (userId: string) =>
  (
    await db.account.findUnique({
      where: { userId_provider: { userId, provider: MAKE_PROVIDER_ID } },
      select: { providerAccountId: true },
    })
  )?.providerAccountId ?? null;

/** connected: the first sign-in of this Make account, for a user without one. */
export async function connected(account: SignInAccount & { userId: string }) {
  if (await connectedMakeUser(account.userId)) {
    throw new MakeAccountMismatchError("this user already has a Make account");
  }
  await db.$transaction(async (tx) => {
    await tx.account.create({
      data: {
        userId: account.userId,
        type: account.type,
        provider: account.provider,
        providerAccountId: account.providerAccountId,
        ...freshConnection(account),
      },
    });
    await enqueueMakeEvent(tx, "connected", {
      userId: account.userId,
      sub: account.providerAccountId,
      state: "active",
      reason: null,
    });
  });
  await recordConnectionEvent(account.userId, "connected", "ok");
  deliverMakeEventsLater(account.userId);
}

/**
 * reconnected: a Make account Auth.js signed in again (a sign-in, Reconnect, Grant access) gets the new
 * tokens. The newest sign-in wins over anything in flight, whose guard then fails; but a row deleted
 * meanwhile (account deletion holds it locked until it is gone) stays gone, and the new tokens go to
 * `discard` (the revocation queue) instead.
 */
export async function reconnected(
  account: SignInAccount,
  userId: string,
  discard: (tokens: HeldTokens) => Promise<void>,
) {
  const existing = await db.account.findUnique({
    where: {
      provider_providerAccountId: {
        provider: account.provider,
        providerAccountId: account.providerAccountId,
      },
    },
    select: { id: true, userId: true, state: true, access_token: true },
  });
  const got = { accessToken: account.access_token ?? null, refreshToken: account.refresh_token ?? null };
  if (!existing) return discard(got);
  // Linked in this very sign-in (`connected` stored these tokens), or not this user's: nothing to do.
  if (existing.userId !== userId || existing.access_token === account.access_token) return;
  const returning = existing.state !== "active";
  const written = await db.$transaction(async (tx) => {
    const { count } = await tx.account.updateMany({
      where: { id: existing.id, userId },
      data: { ...freshConnection(account), tokenVersion: { increment: 1 } },
    });
    if (count === 1 && returning) {
      const data = { userId, sub: account.providerAccountId, state: "active" as const, reason: null };
      await enqueueMakeEvent(tx, "reconnected", data);
    }
    return count === 1;
  });
  if (!written) return discard(got);
  await recordConnectionEvent(userId, returning ? "reconnected" : "connected", "ok");
  if (returning) deliverMakeEventsLater(userId);
}

// ─── Refresh: refreshed, refreshFailed ───────────────────────────────────────────────────────────────────

export type RefreshWrite = "written" | "lost";

/** What a refreshed write changed, as this process wrote it: pages in this process read it without a query. */
export interface WrittenRefresh {
  tokenVersion: number;
  fields: Partial<Account>;
  event: {
    id: string;
    userId: string;
    kind: "refreshed";
    outcome: "ok";
    errorCode: null;
    detail: null;
    createdAt: Date;
  };
}

const MAX_REMEMBERED = 1_000;
const written = new Map<string, WrittenRefresh>();

/** The latest refresh this process wrote for the user, if any (bounded: the oldest are forgotten). */
export const lastWrittenRefresh = (userId: string) => written.get(userId);

/**
 * refreshed: writes Make's answer under the holder's lease, and its activity entry, in ONE statement (the
 * refresh is the hot path: every active user crosses one every few minutes). Raw SQL, so this is the one
 * write that seals its encrypted columns itself, with the same function the Prisma extension uses.
 * "lost" when the row is no longer the holder's (revoked, reconnected, or the lease was lost). May be
 * called again after a failure: an earlier attempt may have committed although its answer never arrived.
 */
export function refreshed(
  row: ConnectionRow,
  leaseId: string,
  tokens: RefreshedTokens,
): Promise<RefreshWrite> {
  return traced("make.refresh.write", { "make.account_id": row.id }, async (span) => {
    const result = await writeRefreshed(row, leaseId, tokens);
    span.setAttribute("make.refresh.write", result);
    return result;
  });
}

async function writeRefreshed(
  row: ConnectionRow,
  leaseId: string,
  tokens: RefreshedTokens,
): Promise<RefreshWrite> {
  const eventId = randomUUID();
  const recoveredId = newEventId();
  const refreshToken = tokens.refreshToken
    ? encryptColumn(tokens.refreshToken, "refresh_token", row.id)
    : null;
  const idToken = tokens.idToken ? encryptColumn(tokens.idToken, "id_token", row.id) : null;
  const rows = await db.$queryRaw<{ tokenVersion: number; lastRefreshedAt: Date; recovered: boolean }[]>`
    WITH before AS (
      SELECT id, "refreshFailures" FROM "Account"
      WHERE id = ${row.id} AND "refreshLeaseId" = ${leaseId}
      FOR UPDATE
    ), updated AS (
      UPDATE "Account" SET
        access_token = ${encryptColumn(tokens.accessToken, "access_token", row.id)},
        refresh_token = COALESCE(${refreshToken}::text, refresh_token),
        id_token = COALESCE(${idToken}::text, id_token),
        expires_at = ${tokens.expiresAt}::integer,
        "accessTokenLifetime" = ${tokens.expiresIn}::integer,
        scope = COALESCE(${tokens.scope ?? null}::text, scope),
        token_type = ${tokens.tokenType},
        "lastRefreshedAt" = now() AT TIME ZONE 'UTC',
        "lastError" = NULL, "lastErrorAt" = NULL, "nextRetryAt" = NULL, "refreshFailures" = 0,
        "refreshLeaseId" = NULL, "refreshLeaseUntil" = NULL,
        "tokenVersion" = "tokenVersion" + 1,
        "updatedAt" = now() AT TIME ZONE 'UTC'
      FROM before
      WHERE "Account".id = before.id AND "refreshLeaseId" = ${leaseId}
      RETURNING "userId", "providerAccountId", "tokenVersion", "lastRefreshedAt", before."refreshFailures" > 0 AS recovered
    ), event AS (
      INSERT INTO "ConnectionEvent" (id, "userId", kind, outcome, "createdAt")
      SELECT ${eventId}, "userId", 'refreshed', 'ok', "lastRefreshedAt" FROM updated
    ), recovered AS (
      INSERT INTO "MakeEventOutbox" (id, "userId", type, data, "occurredAt")
      SELECT ${recoveredId}, "userId", 'make.connection.recovered',
        jsonb_build_object('userId', "userId", 'sub', "providerAccountId", 'state', 'active', 'reason', NULL),
        "lastRefreshedAt"
      FROM updated WHERE recovered
    )
    SELECT "tokenVersion", "lastRefreshedAt", recovered FROM updated`;
  const [result] = rows;
  if (!result) {
    const current = await db.account.findUnique({ where: { id: row.id }, select: { access_token: true } });
    return current?.access_token === tokens.accessToken ? "written" : "lost";
  }
  const lastRefreshedAt = result.lastRefreshedAt;
  if (result.recovered) deliverMakeEventsLater(row.userId);
  written.delete(row.userId);
  written.set(row.userId, {
    tokenVersion: result.tokenVersion,
    fields: {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken ?? row.refresh_token,
      expires_at: tokens.expiresAt,
      accessTokenLifetime: tokens.expiresIn,
      scope: tokens.scope ?? row.scope,
      token_type: tokens.tokenType,
      lastRefreshedAt,
      ...HEALTHY,
      tokenVersion: result.tokenVersion,
    },
    event: {
      id: eventId,
      userId: row.userId,
      kind: "refreshed",
      outcome: "ok",
      errorCode: null,
      detail: null,
      createdAt: lastRefreshedAt,
    },
  });
  if (written.size > MAX_REMEMBERED) written.delete(written.keys().next().value!);
  return "written";
}

/**
 * A part of Make's refresh answer that failed the checks (an expired id_token, say): logged, with an
 * activity entry of its own, since the tokens were kept regardless (the refresh's own entry is written
 * with them).
 */
export async function recordAnswerProblem(
  row: ConnectionRow,
  tokens: Pick<RefreshedTokens, "answerProblem">,
) {
  if (!tokens.answerProblem) return;
  log.warn("renewed, but Make's answer failed a check", { accountId: row.id, problem: tokens.answerProblem });
  await recordConnectionEvent(row.userId, "refresh_answer_rejected", "error", {
    errorCode: tokens.answerProblem,
    detail: "Make renewed the connection; this part of its answer was not used. The new tokens were kept.",
  });
}

/**
 * refreshFailed: a failure that leaves the connection alive (5xx, timeout, network), with the next retry
 * time; the lease is released. Never throws: recording is best-effort.
 */
export async function refreshFailed(
  row: ConnectionRow,
  guard: RowGuard,
  failure: { code: string; retryInMs: number; detail?: string },
): Promise<void> {
  try {
    await db.account.updateMany({
      where: { id: row.id, ...guard },
      data: {
        lastError: failure.code,
        lastErrorAt: new Date(),
        refreshFailures: row.refreshFailures + 1,
        nextRetryAt: new Date(Date.now() + failure.retryInMs),
        refreshLeaseId: null,
        refreshLeaseUntil: null,
      },
    });
    await recordConnectionEvent(row.userId, "refresh_failed", "error", {
      errorCode: failure.code,
      detail: failure.detail,
    });
  } catch (error) {
    log.error("could not record a failed renewal", { accountId: row.id, error: errorMessage(error) });
  }
}

/** The holder's token request outlived its callers' patience: noted on the row while the lease lasts. */
export const refreshSlow = (row: ConnectionRow, leaseId: string) =>
  db.account
    .updateMany({
      where: { id: row.id, refreshLeaseId: leaseId },
      data: { lastError: "timeout", lastErrorAt: new Date() },
    })
    .catch((error) =>
      log.error("could not record a slow renewal", { accountId: row.id, error: errorMessage(error) }),
    );

// ─── reauthRequired, unreadable ──────────────────────────────────────────────────────────────────────────

const REAUTH_DETAILS: Record<string, string> = {
  subject_changed:
    "Make renewed the connection but named another Make user than the one connected, so the new tokens " +
    "were dropped and revoked. Reconnect to continue.",
  invalid_grant_after_timeout:
    "An earlier renewal got no answer from Make in time; Make had most likely renewed the connection " +
    "then, so the refresh token held here was already used. Reconnect to continue.",
};

/**
 * reauthRequired: Make will not renew this grant; the user must reconnect. `afterwards` runs only when this
 * call made the transition (e.g. queueing the dropped tokens for revocation). Always throws.
 */
export async function reauthRequired(
  row: ConnectionRow,
  guard: RowGuard,
  code: string,
  afterwards?: () => Promise<void>,
): Promise<never> {
  const count = await db.$transaction(async (tx) => {
    const updated = await tx.account.updateMany({
      where: { id: row.id, ...guard },
      data: {
        ...WITHOUT_TOKENS,
        ...HEALTHY,
        state: "reauth_required",
        lastError: code,
        lastErrorAt: new Date(),
        tokenVersion: { increment: 1 },
      },
    });
    if (updated.count === 1) await enqueueReauthRequired(tx, row, code);
    return updated.count;
  });
  if (count === 1) {
    deliverMakeEventsLater(row.userId);
    await recordConnectionEvent(row.userId, "reauth_required", "error", {
      errorCode: code,
      detail: REAUTH_DETAILS[code],
    });
    await afterwards?.();
  }
  throw new MakeConnectionError("reauth_required", "Make asked for the connection to be renewed.");
}

const enqueueReauthRequired = (
  tx: Transaction,
  row: { userId: string; providerAccountId?: string },
  reason: string,
) =>
  enqueueMakeEvent(tx, "reauth_required", {
    userId: row.userId,
    sub: row.providerAccountId ?? null,
    state: "reauth_required",
    reason,
  });

export const UNREADABLE_TOKEN_CODE = "token_unreadable";
const UNREADABLE_DETAIL =
  "The stored Make tokens failed authentication under the configured encryption keys (AUTH_SECRET or " +
  "TOKEN_ENCRYPTION_KEY changed, or the stored value was altered). Reconnect to continue.";

/**
 * Run on every row right after reading it. A token sealed under a key this process lacks leaves the row
 * untouched (`keyUnavailable`). A token that fails authentication under a key it holds is dead: the row
 * becomes `reauth_required` (once, even when several requests see it at the same time), guarded by the
 * stored ciphertext, so a sign-in that stored new tokens meanwhile wins. Nothing is cleared on a read: the
 * ciphertext stays until a Reconnect, a Revoke or `npm run tokens:rotate-key` replaces it.
 */
export async function settleUnreadable<T extends { id: string; userId: string } | null>(row: T): Promise<T> {
  if (!row) return row;
  const columns = Object.entries(unreadableColumns(row));
  if (columns.length === 0) return row;
  if (columns.some(([, column]) => column.reason === "unknown_key")) return { ...row, keyUnavailable: true };
  const marked = {
    state: "reauth_required" as const,
    lastError: UNREADABLE_TOKEN_CODE,
    lastErrorAt: new Date(),
  };
  const stored = Object.fromEntries(columns.map(([name, column]) => [name, column.stored]));
  const count = await db.$transaction(async (tx) => {
    const updated = await tx.account.updateMany({
      where: { id: row.id, ...stored, NOT: { lastError: UNREADABLE_TOKEN_CODE, state: "reauth_required" } },
      data: { ...marked, refreshLeaseId: null, refreshLeaseUntil: null, tokenVersion: { increment: 1 } },
    });
    if (updated.count === 1) await enqueueReauthRequired(tx, row, UNREADABLE_TOKEN_CODE);
    return updated.count;
  });
  if (count === 1) {
    deliverMakeEventsLater(row.userId);
    log.warn("stored Make tokens failed authentication", {
      accountId: row.id,
      columns: columns.map(([name]) => name).join(", "),
    });
    await recordConnectionEvent(row.userId, "reauth_required", "error", {
      errorCode: UNREADABLE_TOKEN_CODE,
      detail: UNREADABLE_DETAIL,
    });
  }
  const current = Object.fromEntries(Object.entries(marked).filter(([key]) => key in row));
  return { ...row, ...current };
}

// ─── revoked ─────────────────────────────────────────────────────────────────────────────────────────────

/** Attempts at the version-checked cut before giving up (each one lost to a concurrent write). */
const CUT_ATTEMPTS = 5;

export interface HeldTokens {
  accessToken: string | null;
  refreshToken: string | null;
}

/**
 * revoked: deletes the tokens and, in the same transaction, hands them to `queue` (the revocation queue),
 * guarded by the row version so a refresh finishing at the same moment cannot slip a newer refresh token
 * past it. False when there is no account. A row whose tokens this process cannot open is refused.
 */
export async function revoked(
  userId: string,
  queue: (tx: Transaction, tokens: HeldTokens) => Promise<unknown>,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const account = await db.account
      .findFirst({
        where: { userId, provider: MAKE_PROVIDER_ID },
        select: {
          id: true,
          userId: true,
          providerAccountId: true,
          access_token: true,
          refresh_token: true,
          tokenVersion: true,
        },
      })
      .then(settleUnreadable);
    if (!account) return false;
    if ((account as ConnectionRow).keyUnavailable) assertUsable({ state: "active", keyUnavailable: true });
    const cut = await db.$transaction(async (tx) => {
      const updated = await tx.account.updateMany({
        where: { id: account.id, tokenVersion: account.tokenVersion },
        data: { state: "revoked", ...WITHOUT_TOKENS, ...HEALTHY, tokenVersion: { increment: 1 } },
      });
      if (updated.count !== 1) return false;
      await queue(tx, { accessToken: account.access_token, refreshToken: account.refresh_token });
      const data = { userId, sub: account.providerAccountId, state: "revoked" as const, reason: null };
      await enqueueMakeEvent(tx, "revoked", data);
      return true;
    });
    if (cut) {
      deliverMakeEventsLater(userId);
      return true;
    }
    if (attempt >= CUT_ATTEMPTS)
      throw new Error("The Make connection kept changing while it was being revoked.");
  }
}

// ─── lapsed, forgotten ───────────────────────────────────────────────────────────────────────────────────

/**
 * lapsed: nobody used the connection for MAKE_LAPSE_AFTER_DAYS (lib/make/connection/lapse.ts picks it). Like
 * `revoked`, its tokens go to `queue` and are deleted, with its event, in one transaction guarded by the
 * row version, so a sign-in or a renewal landing meanwhile wins. False when it did not lapse.
 */
export async function lapsed(
  accountId: string,
  queue: (tx: Transaction, userId: string, tokens: HeldTokens) => Promise<unknown>,
): Promise<boolean> {
  const account: ConnectionRow | null = await readConnection({ id: accountId });
  if (!account || account.state !== "active" || account.keyUnavailable) return false;
  const { userId } = account;
  const cut = await db.$transaction(async (tx) => {
    const updated = await tx.account.updateMany({
      where: { id: account.id, tokenVersion: account.tokenVersion, state: "active" },
      data: { state: "lapsed", ...WITHOUT_TOKENS, ...HEALTHY, tokenVersion: { increment: 1 } },
    });
    if (updated.count !== 1) return false;
    await queue(tx, userId, { accessToken: account.access_token, refreshToken: account.refresh_token });
    const data = { userId, sub: account.providerAccountId, state: "lapsed" as const, reason: "unused" };
    await enqueueMakeEvent(tx, "lapsed", data);
    return true;
  });
  if (!cut) return false;
  await recordConnectionEvent(userId, "lapsed", "ok", {
    detail: `unused for ${env.MAKE_LAPSE_AFTER_DAYS} days`,
  });
  deliverMakeEventsLater(userId);
  return true;
}

/**
 * forgotten (account deletion), inside the deletion's transaction: locks the user's Make row until `tx`
 * ends, so a sign-in or a renewal finishing meanwhile waits and then finds no row to write to, and deletes
 * it and its activity. Returns the Make user and the tokens the row held, for the revocation queue. A token
 * sealed under a key this process lacks cannot be queued: refused as `key_unavailable`, nothing deleted.
 */
export async function forgotten(
  tx: Transaction,
  userId: string,
): Promise<{ sub: string; tokens: HeldTokens } | null> {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Account" WHERE "userId" = ${userId} AND provider = ${MAKE_PROVIDER_ID} FOR UPDATE`;
  let held: { sub: string; tokens: HeldTokens } | null = null;
  if (locked) {
    const account = await tx.account.findUniqueOrThrow({
      where: { id: locked.id },
      select: { id: true, userId: true, providerAccountId: true, access_token: true, refresh_token: true },
    });
    if (Object.values(unreadableColumns(account)).some((column) => column.reason === "unknown_key"))
      assertUsable({ state: "active", keyUnavailable: true });
    held = {
      sub: account.providerAccountId,
      tokens: { accessToken: account.access_token, refreshToken: account.refresh_token },
    };
  }
  await tx.account.deleteMany({ where: { userId, provider: MAKE_PROVIDER_ID } });
  await tx.connectionEvent.deleteMany({ where: { userId } });
  return held;
}
