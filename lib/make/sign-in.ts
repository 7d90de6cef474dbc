/**
 * The Make connection's part in Auth.js, wired once in auth.ts. In the order Auth.js runs them:
 * 1. `signIn` (callback) only reads: a user whose Make account is another Make user is refused before
 *    anything is written;
 * 2. the adapter's `linkAccount`, for Make, stores a newly linked Make account (`connected`);
 * 3. `signedIn` (the signIn event, after Auth.js accepted the sign-in) puts the new token set on an account
 *    that was already linked (`reconnected`), since the adapter would keep its old, possibly revoked tokens.
 * A sign-in Auth.js refuses (OAuthAccountNotLinked, a failed check) never reaches 2 or 3: it writes nothing.
 * Every other provider goes through the adapter unchanged.
 */
import "server-only";
import type { Account, NextAuthConfig } from "next-auth";
import type { Adapter } from "next-auth/adapters";
import { connected, connectedMakeUser, reconnected } from "@/lib/make/connection";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";
import { ACCOUNT_MISMATCH_PAGE, recordAuthError } from "@/lib/make/sign-in-errors";

type Callbacks = NonNullable<NextAuthConfig["callbacks"]>;
type Events = NonNullable<NextAuthConfig["events"]>;

export interface MakeAuthWiring {
  /** The adapter with Make's `linkAccount`. */
  adapter(base: Adapter): Adapter;
  signIn: NonNullable<Callbacks["signIn"]>;
  signedIn: NonNullable<Events["signIn"]>;
  logger: NonNullable<NextAuthConfig["logger"]>;
}

/** `signedInUserId`: whose live session this browser holds (the session module reads the cookie). */
export function makeAuthWiring(options: { signedInUserId: () => Promise<string | null> }): MakeAuthWiring {
  return {
    adapter: (base) => ({
      ...base,
      linkAccount: (account) =>
        account.provider === MAKE_PROVIDER_ID
          ? connected(account as Account & { userId: string })
          : base.linkAccount!(account),
    }),
    async signIn({ account }) {
      if (account?.provider !== MAKE_PROVIDER_ID) return true;
      const userId = await options.signedInUserId();
      if (!userId) return true;
      const connectedSub = await connectedMakeUser(userId);
      return connectedSub && connectedSub !== account.providerAccountId ? ACCOUNT_MISMATCH_PAGE : true;
    },
    async signedIn({ user, account }) {
      if (account?.provider === MAKE_PROVIDER_ID && user.id) await reconnected(account, user.id);
    },
    logger: {
      error(error) {
        recordAuthError(error);
        const cause = (error.cause as { err?: Error } | undefined)?.err;
        console.error(
          `[auth] ${"type" in error ? error.type : error.name}: ${cause?.message ?? error.message}`,
        );
      },
    },
  };
}
