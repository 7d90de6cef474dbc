/**
 * The Make account row as the token lifecycle reads it, and the questions asked of it: is the access token
 * fresh, still valid, may it be handed out at all. Shared by access-token.ts (callers) and refresh.ts
 * (the lease holder).
 */
import "server-only";
import { db } from "@/lib/db";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";
import { env } from "@/lib/env";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { reauthIfUnreadable } from "@/lib/tokens/unreadable-tokens";

export interface MakeAccessToken {
  accessToken: string;
  expiresAt: number;
  sub: string;
}

const accountSelect = {
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

export const loadAccount = (where: { id: string } | { userId: string }) =>
  db.account
    .findFirst({ where: { ...where, provider: MAKE_PROVIDER_ID }, select: accountSelect })
    .then(reauthIfUnreadable);

export type TokenRow = NonNullable<Awaited<ReturnType<typeof loadAccount>>>;

export const nowSeconds = () => Date.now() / 1000;

/**
 * TOKEN_REFRESH_MARGIN_SECONDS, but at most half the token's lifetime: a margin as long as the lifetime
 * would make every request refresh.
 */
export function refreshMarginSeconds(row: Pick<TokenRow, "accessTokenLifetime">): number {
  const lifetime = row.accessTokenLifetime;
  return lifetime
    ? Math.min(env.TOKEN_REFRESH_MARGIN_SECONDS, lifetime / 2)
    : env.TOKEN_REFRESH_MARGIN_SECONDS;
}

/** True while the token is outside the refresh margin: handing it out needs no request to Make. */
export const isFresh = (row: TokenRow) =>
  !!row.access_token && row.expires_at !== null && row.expires_at - nowSeconds() > refreshMarginSeconds(row);

export const isUnexpired = (row: TokenRow) =>
  !!row.access_token && row.expires_at !== null && row.expires_at > nowSeconds();

export const handOut = (row: TokenRow): MakeAccessToken => ({
  accessToken: row.access_token!,
  expiresAt: row.expires_at!,
  sub: row.providerAccountId,
});

export function assertUsable(row: Pick<TokenRow, "state">) {
  if (row.state === "reauth_required") {
    throw new MakeConnectionError("reauth_required", "Make asked for the connection to be renewed.");
  }
  if (row.state === "revoked") throw new MakeConnectionError("revoked", "The Make connection was revoked.");
}

/** While a renewal cannot happen: the current token if it is still valid (and not the one Make refused). */
export function currentOrUnavailable(row: TokenRow, rejectedAccessToken?: string): MakeAccessToken {
  if (isUnexpired(row) && row.access_token !== rejectedAccessToken) return handOut(row);
  throw new MakeConnectionError(
    "make_unavailable",
    "Make could not be reached; the connection will be renewed shortly.",
  );
}
