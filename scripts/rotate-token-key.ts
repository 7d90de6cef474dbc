/**
 * `npm run tokens:rotate-key`: re-encrypts every stored token under the first key of TOKEN_ENCRYPTION_KEY.
 * Rotation: put the new key first (keep the old ones after it), deploy, run this, then remove the old keys.
 * Each row is rewritten only if nobody changed it meanwhile (tokenVersion compare-and-swap), so a refresh
 * running at the same time is never overwritten.
 */
import { db } from "@/lib/db";

let accounts = 0;
let pending = 0;

const rows = await db.account.findMany({
  where: { OR: [{ access_token: { not: null } }, { refresh_token: { not: null } }, { id_token: { not: null } }] },
  select: { id: true, tokenVersion: true, access_token: true, refresh_token: true, id_token: true },
});
for (const { id, tokenVersion, ...tokens } of rows) {
  const written = await db.account.updateMany({ where: { id, tokenVersion }, data: tokens });
  accounts += written.count;
}

for (const { id, token } of await db.pendingRevocation.findMany({ select: { id: true, token: true } })) {
  await db.pendingRevocation.update({ where: { id }, data: { token } });
  pending++;
}

console.log(`Re-encrypted the tokens of ${accounts} account(s) and ${pending} pending revocation(s) under the current key.`);
await db.$disconnect();
