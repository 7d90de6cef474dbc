/**
 * `npm run tokens:rotate-key`: re-encrypts every stored token under the first key of TOKEN_ENCRYPTION_KEY.
 * Rotation: put the new key first (keep the old ones after it) everywhere the app runs, run this, then
 * remove the old keys once it reports 0 remaining (it exits with 1 while some are left).
 */
import { db } from "@/lib/db";
import { reencryptAllTokens, UnknownKeysError } from "@/lib/make/ops";

const report = await reencryptAllTokens().catch(async (error: unknown) => {
  if (!(error instanceof UnknownKeysError)) throw error;
  console.error(error.message);
  await db.$disconnect();
  process.exit(1);
});
console.log(
  `Re-encrypted the tokens of ${report.accounts} account(s) and ${report.pendingRevocations} pending ` +
    `revocation(s) under the current key (${report.passes} pass(es)).`,
);
if (report.unreadableAccounts || report.unreadableRevocations) {
  console.log(
    `The tokens of ${report.unreadableAccounts} account(s) (now "reconnect needed", cleared) and ` +
      `${report.unreadableRevocations} pending revocation(s) (dropped) failed authentication under the configured keys.`,
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
