/**
 * Auth.js with sessions in the database. The session carries the user id and profile only: Make tokens
 * stay in the Account row (encrypted) and never reach the session or the browser. Providers are listed in
 * lib/auth/providers.ts; what is specific to Make (its tokens, one Make account per user) applies to the
 * Make provider only, and every other provider goes through the adapter unchanged.
 * @see https://authjs.dev/reference/nextjs
 */
import NextAuth from "next-auth";
import type { Adapter } from "next-auth/adapters";
import { PrismaAdapter } from "@auth/prisma-adapter";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { authConfig } from "@/auth.config";
import { db } from "@/lib/db";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";
import { signInProviders } from "@/lib/auth/providers";
import { withHashedSessionTokens } from "@/lib/auth/hashed-sessions";
import { signedInUserId } from "@/lib/auth/session";
import { recordAuthError } from "@/lib/auth/sign-in-errors";
import { linkMakeAccount, signInRefusal, storeSignInTokens } from "@/lib/tokens/sign-in-tokens";

const base = withHashedSessionTokens(PrismaAdapter(db as unknown as PrismaClient));

const adapter: Adapter = {
  ...base,
  linkAccount: (account) =>
    account.provider === MAKE_PROVIDER_ID ? linkMakeAccount(account) : base.linkAccount!(account),
};

// A function, so the configuration is read at request time: `next build` runs without the runtime environment.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  adapter,
  providers: signInProviders(),
  callbacks: {
    // Reads only: tokens are stored once Auth.js has accepted the sign-in (the signIn event, linkAccount).
    async signIn({ account }) {
      if (account?.provider !== MAKE_PROVIDER_ID) return true;
      return (await signInRefusal(account, await signedInUserId())) ?? true;
    },
    session: ({ session, user }) => ({
      ...session,
      user: { id: user.id, name: user.name, email: user.email, image: user.image },
    }),
  },
  events: {
    async signIn({ user, account }) {
      if (account?.provider === MAKE_PROVIDER_ID && user.id) await storeSignInTokens(account, user.id);
    },
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
}));
