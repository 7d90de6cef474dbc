/**
 * A Make account stored the way a sign-in stores it (user `ada`, Make user 1001, confidential client), for
 * tests that start from a connected user without going through the browser.
 */
import type { signInTokens } from "./make-code-flow";

type Database = typeof import("@/lib/db").db;
type Tokens = Awaited<ReturnType<typeof signInTokens>>;

/** Creates the user and their Make account holding `tokens`, expiring at `expiresAt`; returns the user id. */
export async function storeConnectedAccount(
  db: Database,
  tokens: Tokens,
  expiresAt: number,
  sub = "1001",
): Promise<string> {
  const user = await db.user.create({ data: { name: "ada" } });
  await db.account.create({
    data: {
      userId: user.id,
      type: "oidc",
      provider: "make",
      providerAccountId: sub,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      expires_at: expiresAt,
      token_type: tokens.token_type,
      clientType: "confidential",
    },
  });
  return user.id;
}
