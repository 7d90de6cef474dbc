/**
 * A Make account whose stored tokens cannot be decrypted (their key is no longer configured) is a dead
 * connection, not an error: it becomes `reauth_required`, its activity says why, and the user reconnects.
 * Call `reauthIfUnreadable` on an account row right after reading it (lib/auth/session.ts does).
 */
import "server-only";
import { db } from "@/lib/db";
import { recordConnectionEvent } from "@/lib/connection/events";
import { HEALTHY, WITHOUT_TOKENS } from "@/lib/tokens/account-updates";
import { unreadableTokens } from "@/lib/tokens/encrypted-prisma";

export const UNREADABLE_TOKEN_CODE = "token_unreadable";
const DETAIL =
  "The stored Make tokens could not be decrypted: the encryption key changed (AUTH_SECRET or " +
  "TOKEN_ENCRYPTION_KEY). Reconnect to continue.";

interface AccountRow {
  id: string;
  userId: string;
}

/**
 * Returns the row as it is when every token opened; otherwise marks the account `reauth_required` (once,
 * even when several requests see the bad column at the same time) and returns the row in that state.
 */
export async function reauthIfUnreadable<T extends AccountRow | null>(row: T): Promise<T> {
  if (!row) return row;
  const unreadable = unreadableTokens(row);
  if (Object.keys(unreadable).length === 0) return row;
  const cleared = {
    ...WITHOUT_TOKENS,
    ...HEALTHY,
    state: "reauth_required" as const,
    lastError: UNREADABLE_TOKEN_CODE,
    lastErrorAt: new Date(),
  };
  // Only while the unreadable values are still there: a sign-in that stored new tokens meanwhile wins.
  const { count } = await db.account.updateMany({
    where: { id: row.id, ...unreadable },
    data: { ...cleared, tokenVersion: { increment: 1 } },
  });
  if (count === 1) {
    console.warn(`[tokens] account ${row.id}: ${Object.keys(unreadable).join(", ")} could not be decrypted`);
    const details = { errorCode: UNREADABLE_TOKEN_CODE, detail: DETAIL };
    await recordConnectionEvent(row.userId, "reauth_required", "error", details);
  }
  const current = Object.fromEntries(Object.entries(cleared).filter(([key]) => key in row));
  return { ...row, ...current };
}
