/**
 * What a sign-in with Make does to the stored Make connection, in the order Auth.js decides it:
 * 1. `signInRefusal` (the `signIn` callback) only reads: a user whose Make account is another Make user
 *    is refused before anything is written;
 * 2. `linkMakeAccount` (the adapter's `linkAccount`, Make only) stores a newly linked Make account;
 * 3. `storeSignInTokens` (the `signIn` event, after Auth.js accepted the sign-in) puts the new token set
 *    on an account that was already linked, since the adapter would keep its old, possibly revoked tokens.
 * A sign-in Auth.js refuses (OAuthAccountNotLinked, a failed check) never reaches 2 or 3: it writes nothing.
 */
import "server-only";
import type { Account } from "next-auth";
import { clientType, env } from "@/lib/env";
import { db } from "@/lib/db";
import { recordConnectionEvent } from "@/lib/connection/events";
import { HEALTHY } from "@/lib/tokens/account-updates";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";
import { ACCOUNT_MISMATCH_PAGE } from "@/lib/auth/sign-in-errors";

/** A user who already has a Make account tried to link a second one. */
export class MakeAccountMismatchError extends Error {
  override name = "MakeAccountMismatchError";
}

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

const makeAccountOf = (userId: string) =>
  db.account.findUnique({
    where: { userId_provider: { userId, provider: MAKE_PROVIDER_ID } },
    select: { providerAccountId: true },
  });

/**
 * `signIn` callback: a signed-in user (`signedInUserId`) whose Make account is another Make user than the
 * one who just logged in at Make is refused: the page to send the browser to. Null lets Auth.js decide.
 */
export async function signInRefusal(account: Account, signedInUserId: string | null): Promise<string | null> {
  if (!signedInUserId) return null;
  const connected = await makeAccountOf(signedInUserId);
  return connected && connected.providerAccountId !== account.providerAccountId
    ? ACCOUNT_MISMATCH_PAGE
    : null;
}

/** Adapter `linkAccount` for Make: the first sign-in of this Make account, for a user without one. */
export async function linkMakeAccount(account: Account & { userId: string }) {
  const connected = await makeAccountOf(account.userId);
  if (connected) throw new MakeAccountMismatchError("this user already has a Make account");
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

/** `signIn` event: a Make account Auth.js signed in again (or reconnected) gets the new tokens. */
export async function storeSignInTokens(account: Account, userId: string) {
  const existing = await db.account.findUnique({
    where: {
      provider_providerAccountId: {
        provider: account.provider,
        providerAccountId: account.providerAccountId,
      },
    },
    select: { id: true, userId: true, state: true, access_token: true },
  });
  // Linked in this very sign-in (linkMakeAccount stored these tokens), or not this user's: nothing to do.
  if (!existing || existing.userId !== userId || existing.access_token === account.access_token) return;
  await db.account.update({
    where: { id: existing.id },
    data: { ...freshConnection(account), tokenVersion: { increment: 1 } },
  });
  await recordConnectionEvent(userId, existing.state === "active" ? "connected" : "reconnected", "ok");
}
