/**
 * What a successful sign-in does to the stored Make connection. Auth.js's adapter writes tokens only when
 * it links an account the first time; signing in again (or Reconnect) would keep the old, possibly revoked
 * tokens. So the first link goes through `linkMakeAccount` and every later sign-in through
 * `replaceSignInTokens`, which swaps the whole token set and brings the connection back to `active`.
 */
import "server-only";
import type { Account } from "next-auth";
import { clientType, env } from "@/lib/env";
import { db } from "@/lib/db";
import { recordConnectionEvent } from "@/lib/connection/events";
import { HEALTHY } from "@/lib/tokens/account-updates";

/** The token set from the code exchange, with everything the lifecycle tracks reset. */
function freshConnection(account: Account) {
  return {
    access_token: account.access_token ?? null,
    refresh_token: account.refresh_token ?? null,
    id_token: account.id_token ?? null,
    expires_at: account.expires_at ?? null,
    scope: account.scope ?? env.AUTH_MAKE_SCOPE,
    token_type: account.token_type?.toString() ?? null,
    state: "active" as const,
    issuer: env.AUTH_MAKE_ISSUER,
    clientType: clientType(),
    connectedAt: new Date(),
    ...HEALTHY,
  };
}

/** Adapter `linkAccount`: the first sign-in of this Make account. */
export async function linkMakeAccount(account: Account & { userId: string }) {
  await db.account.create({
    data: {
      userId: account.userId,
      type: account.type,
      provider: account.provider,
      providerAccountId: account.providerAccountId,
      ...freshConnection(account),
    },
  });
  await recordConnectionEvent(account.userId, "connected", "ok");
}

/** `signIn` callback: an existing Make account signed in again gets the new tokens. */
export async function replaceSignInTokens(account: Account) {
  const existing = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
    select: { id: true, userId: true, state: true },
  });
  if (!existing) return;
  await db.account.update({
    where: { id: existing.id },
    data: { ...freshConnection(account), tokenVersion: { increment: 1 } },
  });
  await recordConnectionEvent(existing.userId, existing.state === "active" ? "connected" : "reconnected", "ok");
}
