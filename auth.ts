/**
 * Auth.js with Make as the only provider and sessions in the database. The session carries the user id
 * and profile only: Make tokens stay in the Account row (encrypted) and never reach the session or the
 * browser.
 * @see https://authjs.dev/reference/nextjs
 */
import NextAuth from "next-auth";
import { PrismaAdapter } from "@auth/prisma-adapter";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { authConfig } from "@/auth.config";
import { db } from "@/lib/db";
import { Make } from "@/lib/make/provider";
import { withHashedSessionTokens } from "@/lib/auth/hashed-sessions";
import { recordAuthError } from "@/lib/auth/sign-in-errors";
import { linkMakeAccount, replaceSignInTokens } from "@/lib/tokens/sign-in-tokens";

const adapter = withHashedSessionTokens(PrismaAdapter(db as unknown as PrismaClient));

// A function, so the configuration is read at request time: `next build` runs without the runtime environment.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  adapter: { ...adapter, linkAccount: linkMakeAccount },
  providers: [Make()],
  callbacks: {
    async signIn({ account }) {
      if (account?.provider === "make") await replaceSignInTokens(account);
      return true;
    },
    session: ({ session, user }) => ({ ...session, user: { id: user.id, name: user.name, email: user.email, image: user.image } }),
  },
  logger: {
    error(error) {
      recordAuthError(error);
      const cause = (error.cause as { err?: Error } | undefined)?.err;
      console.error(`[auth] ${"type" in error ? error.type : error.name}: ${cause?.message ?? error.message}`);
    },
  },
}));
