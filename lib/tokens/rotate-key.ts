/**
 * Re-encrypts every stored token under the first key of TOKEN_ENCRYPTION_KEY (`npm run tokens:rotate-key`).
 * Each row is rewritten only if nobody changed it meanwhile (tokenVersion compare-and-swap), so a refresh
 * running at the same time is never overwritten with older tokens.
 */
import "server-only";
import { db } from "@/lib/db";

export async function reencryptAllTokens(): Promise<{ accounts: number; pendingRevocations: number }> {
  let accounts = 0;
  const rows = await db.account.findMany({
    where: { OR: [{ access_token: { not: null } }, { refresh_token: { not: null } }, { id_token: { not: null } }] },
    select: { id: true, tokenVersion: true, access_token: true, refresh_token: true, id_token: true },
  });
  for (const { id, tokenVersion, ...tokens } of rows) {
    accounts += (await db.account.updateMany({ where: { id, tokenVersion }, data: tokens })).count;
  }
  let pendingRevocations = 0;
  for (const { id, token } of await db.pendingRevocation.findMany({ select: { id: true, token: true } })) {
    pendingRevocations += (await db.pendingRevocation.updateMany({ where: { id }, data: { token } })).count;
  }
  return { accounts, pendingRevocations };
}
