/**
 * `npm run tokens:rotate-key`: re-encrypts every stored token under the first key of TOKEN_ENCRYPTION_KEY.
 * Rotation: put the new key first (keep the old ones after it) everywhere the app runs, run this, then
 * remove the old keys once it reports 0 remaining (it exits with 1 while some are left).
 */
import { db } from "@/lib/db";
import { reencryptAllTokens } from "@/lib/tokens/rotate-key";

const report = await reencryptAllTokens();
console.log(
  `Re-encrypted the tokens of ${report.accounts} account(s) and ${report.pendingRevocations} pending ` +
    `revocation(s) under the current key (${report.passes} pass(es)).`,
);
if (report.unreadableAccounts || report.unreadableRevocations) {
  console.log(
    `No configured key opens the tokens of ${report.unreadableAccounts} account(s) (now "reconnect needed") ` +
      `and ${report.unreadableRevocations} pending revocation(s) (dropped).`,
  );
}
console.log(`Remaining under an old key: ${report.remaining}.`);
if (report.remaining > 0) {
  console.log(
    "Keep the old keys configured: a server may still encrypt with one. Run this again afterwards.",
  );
  process.exitCode = 1;
}
await db.$disconnect();
