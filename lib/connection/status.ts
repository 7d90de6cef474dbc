/**
 * What the dashboard's status panel shows about the Make connection. Reads the account row but hands out
 * no token: only whether one is held.
 */
import "server-only";
import { db } from "@/lib/db";
import { requestedScopes } from "@/lib/env";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";
import { reauthIfUnreadable } from "@/lib/tokens/unreadable-tokens";

export type ConnectionStateName = "active" | "reauth_required" | "revoked" | "not_connected";

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
}

type AccountRow = NonNullable<Awaited<ReturnType<typeof loadAccount>>>;

const loadAccount = (userId: string) =>
  db.account
    .findUnique({ where: { userId_provider: { userId, provider: MAKE_PROVIDER_ID } } })
    .then(reauthIfUnreadable);

/** The panel's view of an account row already in hand. */
export function describeConnection(account: AccountRow | null, pendingRevocations: number): ConnectionStatus {
  if (!account) {
    return {
      state: "not_connected",
      sub: null,
      scopes: requestedScopes(),
      accessTokenExpiresAt: null,
      lastRefreshedAt: null,
      connectedAt: null,
      hasRefreshToken: false,
      clientType: null,
      issuer: null,
      lastError: null,
      lastErrorAt: null,
      nextRetryAt: null,
      pendingRevocations,
    };
  }
  return {
    state: account.state,
    sub: account.providerAccountId,
    scopes: (account.scope ?? "").split(/[\s,]+/).filter(Boolean),
    accessTokenExpiresAt: account.expires_at ? new Date(account.expires_at * 1000) : null,
    lastRefreshedAt: account.lastRefreshedAt,
    connectedAt: account.connectedAt,
    hasRefreshToken: !!account.refresh_token,
    clientType: account.clientType,
    issuer: account.issuer,
    lastError: account.lastError,
    lastErrorAt: account.lastErrorAt,
    nextRetryAt: account.nextRetryAt,
    pendingRevocations,
  };
}

/** Reads the account and the revocations Make has not confirmed yet. */
export async function connectionStatus(userId: string): Promise<ConnectionStatus> {
  const [account, pendingRevocations] = await Promise.all([
    loadAccount(userId),
    db.pendingRevocation.count({ where: { userId } }),
  ]);
  return describeConnection(account, pendingRevocations);
}
