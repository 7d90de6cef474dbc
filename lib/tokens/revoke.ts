/**
 * Revoke: the connection is cut locally at once, and Make is told with RFC 7009 revocation of the refresh
 * token and the access token. The local part and the queueing of both revocations are one transaction,
 * so a revocation cannot be lost: when Make cannot be reached the token stays, encrypted, in
 * PendingRevocation and is retried (on the next dashboard visit and by the background sweep) until Make
 * confirms.
 */
import "server-only";
import { db } from "@/lib/db";
import { errorCode, revokeAtMake } from "@/lib/make/authorization-server";
import { recordConnectionEvent } from "@/lib/connection/events";
import { HEALTHY, WITHOUT_TOKENS } from "@/lib/tokens/account-updates";

const retryDelayMs = (attempts: number) => Math.min(10_000 * 2 ** (attempts - 1), 60 * 60_000);

export async function revokeMakeConnection(userId: string): Promise<{ confirmed: boolean }> {
  const account = await db.account.findFirst({
    where: { userId, provider: "make" },
    select: { id: true, access_token: true, refresh_token: true },
  });
  if (!account) return { confirmed: true };
  // Access token first: many servers (Make's stand-in too) end the whole grant with the refresh token, and
  // the access token's own revocation would then go unconfirmed.
  const tokens = [
    { token: account.access_token, tokenTypeHint: "access_token" },
    { token: account.refresh_token, tokenTypeHint: "refresh_token" },
  ].filter((entry): entry is { token: string; tokenTypeHint: string } => !!entry.token);

  await db.$transaction([
    db.account.update({
      where: { id: account.id },
      data: {
        state: "revoked",
        ...WITHOUT_TOKENS,
        ...HEALTHY,
        tokenVersion: { increment: 1 },
      },
    }),
    ...tokens.map((entry) => db.pendingRevocation.create({ data: { userId, ...entry } })),
  ]);
  const confirmed = await deliverPendingRevocations({ userId });
  await recordConnectionEvent(userId, "revoked", confirmed ? "ok" : "pending");
  return { confirmed };
}

/** Sends every due revocation (of one user, or all); true when none is left waiting. */
export async function deliverPendingRevocations(filter: { userId?: string } = {}): Promise<boolean> {
  const due = await db.pendingRevocation.findMany({
    where: { ...filter, nextAttemptAt: { lte: new Date() } },
    orderBy: [{ createdAt: "asc" }, { tokenTypeHint: "asc" }],
    take: 50,
  });
  for (const pending of due) {
    try {
      await revokeAtMake(pending.token, pending.tokenTypeHint as "access_token" | "refresh_token");
      await db.pendingRevocation.delete({ where: { id: pending.id } });
      await recordConnectionEvent(pending.userId, "revocation_confirmed", "ok");
    } catch (error) {
      const attempts = pending.attempts + 1;
      await db.pendingRevocation.update({
        where: { id: pending.id },
        data: { attempts, lastError: errorCode(error), nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)) },
      });
    }
  }
  return (await db.pendingRevocation.count({ where: filter })) === 0;
}

export const pendingRevocationCount = (userId: string) => db.pendingRevocation.count({ where: { userId } });
