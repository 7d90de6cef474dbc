/**
 * The Make connection's part in Auth.js, wired once in auth.ts: the `signIn` callback refuses a Make account
 * that is another Make user's, the adapter's `linkAccount` stores a new one, and the signIn event puts a new
 * token set on one already linked. Other providers pass unchanged. Edit it with ./README.md open: the order
 * Auth.js runs these in is what keeps one Make account per user and writes nothing on a refused sign-in.
 */
import "server-only";
import type { Account, NextAuthConfig } from "next-auth";
import type { Adapter } from "next-auth/adapters";
import { connected, connectedMakeUser, reconnected } from "@/lib/make/connection/state";
import { discardSignInOfForgottenUser, wasForgotten } from "@/lib/make/connection/forget";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";
import { observeMake } from "@/lib/make/connection/observations";
import { traced } from "@/lib/make/connection/tracing";

type Callbacks = NonNullable<NextAuthConfig["callbacks"]>;
type Events = NonNullable<NextAuthConfig["events"]>;

export interface MakeAuthWiring {
  /** The adapter with Make's `linkAccount`. */
  adapter(base: Adapter): Adapter;
  signIn: NonNullable<Callbacks["signIn"]>;
  signedIn: NonNullable<Events["signIn"]>;
}

/** What a sign-in span says: the provider and the Make user (`sub`); Auth.js's account also holds tokens. */
const signInAttributes = (account: Pick<Account, "provider" | "providerAccountId">) => ({
  "auth.provider": account.provider,
  "make.sub": account.providerAccountId,
});

/** Where a sign-in with another Make user than the one connected lands: it names the connected one. */
export const ACCOUNT_MISMATCH_PAGE = "/auth/account-mismatch";

/** Where a sign-in that finished after its user deleted their account lands. */
const DELETED_PAGE = "/?deleted=1";

/**
 * `signedInUserId`: whose live session this browser holds; `sessionKey`: the browser's stored session
 * token, live or not (the session module reads the cookie).
 */
export function makeAuthWiring(options: {
  signedInUserId: () => Promise<string | null>;
  sessionKey: () => Promise<string | undefined>;
}): MakeAuthWiring {
  return {
    adapter: (base) => ({
      ...base,
      linkAccount: (account) =>
        account.provider === MAKE_PROVIDER_ID
          ? traced("make.sign_in.connect", signInAttributes(account), () =>
              connected(account as Account & { userId: string }),
            )
          : base.linkAccount!(account),
    }),
    signIn({ account }) {
      if (account?.provider !== MAKE_PROVIDER_ID) return true;
      return traced("make.sign_in.check", signInAttributes(account), async (span) => {
        // Started before this browser's user deleted their account: what Make issued is revoked, no user made.
        if (await wasForgotten(await options.sessionKey())) {
          span.setAttribute("make.sign_in.outcome", "user_deleted");
          await discardSignInOfForgottenUser({
            accessToken: account.access_token,
            refreshToken: account.refresh_token,
          });
          return DELETED_PAGE;
        }
        const userId = await options.signedInUserId();
        const connectedSub = userId ? await connectedMakeUser(userId) : null;
        const refused = !!connectedSub && connectedSub !== account.providerAccountId;
        span.setAttribute("make.sign_in.outcome", refused ? "account_mismatch" : "accepted");
        return refused ? ACCOUNT_MISMATCH_PAGE : true;
      });
    },
    async signedIn({ user, account }) {
      if (account?.provider !== MAKE_PROVIDER_ID || !user.id) return;
      const userId = user.id;
      await traced("make.sign_in.store", signInAttributes(account), () =>
        reconnected(account, userId, discardSignInOfForgottenUser),
      );
    },
  };
}

/**
 * Called for a callback that signed someone in: for a Make callback, notes whether Make's authorization
 * response carried `iss` (RFC 9207), which `make:doctor` reports.
 */
export function noteMakeCallback(callback: URL): void {
  if (!callback.pathname.endsWith(`/callback/${MAKE_PROVIDER_ID}`)) return;
  observeMake("authorization_response.iss", callback.searchParams.has("iss") ? "present" : "absent");
}
