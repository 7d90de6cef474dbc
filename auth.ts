/**
 * Auth.js with sessions in the database. The session carries the user id and profile only: Make tokens
 * stay in the Account row (encrypted) and never reach the session or the browser. Providers are listed in
 * lib/auth/providers.ts; the Make connection's part (its tokens, one Make account per user) is wired in
 * from lib/make and applies to the Make provider only.
 *
 * Auth.js's `auth()` is deliberately not exported: read the signed-in user with `currentUser()` or
 * `requireUser()` from lib/auth, the one session read (one round trip, the Make account preloaded).
 * @see https://authjs.dev/reference/nextjs
 */
import NextAuth from "next-auth";
import { PrismaAdapter } from "@auth/prisma-adapter";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { authConfig } from "@/auth.config";
import { deploymentUrl, trustHost } from "@/lib/env";
import { authCookies } from "@/lib/auth/session-cookie";
import { db } from "@/lib/db";
import { signInProviders } from "@/lib/auth/providers";
import { withHashedSessionTokens } from "@/lib/auth/hashed-sessions";
import { currentSessionKey, signedInUserId } from "@/lib/auth/session";
import { signInLogger } from "@/lib/auth/sign-in-errors";
import { makeAuthWiring } from "@/lib/make/auth";

const make = makeAuthWiring({ signedInUserId, sessionKey: currentSessionKey });
const adapter = make.adapter(withHashedSessionTokens(PrismaAdapter(db as unknown as PrismaClient)));

// A function, so the configuration is read at request time: `next build` runs without the runtime environment.
export const { handlers, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  trustHost: trustHost(),
  cookies: authCookies(deploymentUrl()),
  adapter,
  providers: signInProviders(),
  callbacks: {
    // Reads only: tokens are stored once Auth.js has accepted the sign-in (the signIn event, linkAccount).
    signIn: make.signIn,
    session: ({ session, user }) => ({
      ...session,
      user: { id: user.id, name: user.name, email: user.email, image: user.image },
    }),
  },
  events: { signIn: make.signedIn },
  logger: signInLogger,
}));
