/**
 * The connection's status as pages show it: state, scopes, expiry, whether a refresh token is held (never
 * its value), the latest activity. `preloadConnection` keeps the row the session read saw for the request
 * (React `cache()`), so neither the status nor a fresh token costs a query. Edit it to show pages more of
 * the connection.
 */
import "server-only";
import { cache } from "react";
import { db } from "@/lib/db";
import { requestedScopes } from "@/lib/env";
import { parseScopes } from "@/lib/scopes";
import type { Account, ConnectionEvent } from "@/lib/generated/prisma/client";
import {
  isFresh,
  isUnexpired,
  lastWrittenRefresh,
  settleUnreadable,
  type ConnectionRow,
} from "@/lib/make/connection/state";
import { RECENT_EVENTS, recentConnectionEvents } from "@/lib/make/connection/events";
import { renewalInFlight } from "@/lib/make/connection/refresh";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";

export type ConnectionStateName = "active" | "reauth_required" | "revoked" | "lapsed" | "not_connected";

export interface ConnectionStatus {
  state: ConnectionStateName;
  /** The Make user id (`sub`), known even when Make cannot be asked. */
  sub: string | null;
  scopes: string[];
  accessTokenExpiresAt: Date | null;
  lastRefreshedAt: Date | null;
  connectedAt: Date | null;
  hasRefreshToken: boolean;
  clientType: string | null;
  issuer: string | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  nextRetryAt: Date | null;
  pendingRevocations: number;
  /** The stored tokens are sealed under a key this server does not hold: temporarily unavailable. */
  keyUnavailable: boolean;
}

export interface ConnectionView {
  status: ConnectionStatus;
  /** The latest activity, newest first. */
  events: ConnectionEvent[];
}

type AccountRow = Account & { keyUnavailable?: boolean };

function describeConnection(account: AccountRow | null, pendingRevocations: number): ConnectionStatus {
  return {
    state: account?.state ?? "not_connected",
    sub: account?.providerAccountId ?? null,
    scopes: account ? parseScopes(account.scope) : requestedScopes(),
    accessTokenExpiresAt: account?.expires_at ? new Date(account.expires_at * 1000) : null,
    lastRefreshedAt: account?.lastRefreshedAt ?? null,
    connectedAt: account?.connectedAt ?? null,
    hasRefreshToken: !!account?.refresh_token,
    clientType: account?.clientType ?? null,
    issuer: account?.issuer ?? null,
    lastError: account?.lastError ?? null,
    lastErrorAt: account?.lastErrorAt ?? null,
    nextRetryAt: account?.nextRetryAt ?? null,
    pendingRevocations,
    keyUnavailable: !!account?.keyUnavailable,
  };
}

interface Preloaded {
  row: AccountRow | null;
  view: ConnectionView;
}

/** What the session read saw of each user's connection, for the rest of this request. */
const preloadedThisRequest = cache(() => new Map<string, Preloaded>());

/**
 * For the session read: the user's Make account row, latest activity and queued revocation count, read
 * with the session. Settles unreadable tokens, keeps the row for this request and returns the view.
 */
export async function preloadConnection(
  userId: string,
  account: Account | null,
  events: ConnectionEvent[],
  pendingRevocations: number,
): Promise<ConnectionView> {
  const row = await settleUnreadable(account);
  const view = { status: describeConnection(row, pendingRevocations), events };
  preloadedThisRequest().set(userId, { row, view });
  return view;
}

/** The account row the session read saw in this request: undefined when there was none. */
export const preloadedConnectionRow = (userId: string): ConnectionRow | null | undefined =>
  preloadedThisRequest().get(userId)?.row;

/**
 * The view without a query, when what this request read is still the truth: the connection was fresh, or
 * this process renewed it since (the holder's written result is shared by every request that waited on
 * it), or this process is renewing it right now and the token read is still valid.
 */
function viewWithoutQuery(userId: string, preloaded: Preloaded | undefined): ConnectionView | undefined {
  const row = preloaded?.row;
  if (!preloaded || !row || row.state !== "active" || row.keyUnavailable) return undefined;
  const written = lastWrittenRefresh(userId);
  if (written && written.tokenVersion > row.tokenVersion) {
    const renewed = { ...row, ...written.fields };
    if (!isFresh(renewed)) return undefined;
    return {
      status: describeConnection(renewed, preloaded.view.status.pendingRevocations),
      events: [written.event, ...preloaded.view.events].slice(0, RECENT_EVENTS),
    };
  }
  if (isFresh(row) || (renewalInFlight(row.id) && isUnexpired(row))) return preloaded.view;
  return undefined;
}

/**
 * The connection's status and latest activity. Within a request whose session read saw the account this
 * usually costs no query (see viewWithoutQuery); otherwise, as after a failed renewal, it reads them.
 */
export async function connectionStatus(userId: string): Promise<ConnectionView> {
  const known = viewWithoutQuery(userId, preloadedThisRequest().get(userId));
  if (known) return known;
  const [account, pendingRevocations, events] = await Promise.all([
    db.account
      .findUnique({ where: { userId_provider: { userId, provider: MAKE_PROVIDER_ID } } })
      .then(settleUnreadable),
    db.pendingRevocation.count({ where: { userId } }),
    recentConnectionEvents(userId),
  ]);
  return { status: describeConnection(account, pendingRevocations), events };
}

/** Something in this request changed the connection (a renewal after a 401): its status is read again. */
export const forgetPreloadedConnection = (userId: string) => {
  const preloaded = preloadedThisRequest().get(userId);
  if (preloaded) preloadedThisRequest().set(userId, { ...preloaded, row: null });
};
