/**
 * `npm run tokens:rotate-key`: re-encrypts every stored token under the first key of TOKEN_ENCRYPTION_KEY.
 * Rotation: put the new key first (keep the old ones after it) everywhere the app runs, run this, then
 * remove the old keys.
 */
import { db } from "@/lib/db";
import { reencryptAllTokens } from "@/lib/tokens/rotate-key";

const { accounts, pendingRevocations } = await reencryptAllTokens();
console.log(`Re-encrypted the tokens of ${accounts} account(s) and ${pendingRevocations} pending revocation(s) under the current key.`);
await db.$disconnect();
