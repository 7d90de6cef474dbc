/**
 * Auth.js with sessions in the database: providers from lib/auth/providers.ts, the Make connection's part
 * wired in from lib/make. Edit it for Auth.js's callbacks and events; read the user with `currentUser()` or
 * `requireUser()` from lib/auth, never Auth.js's `auth()` (why: lib/auth/README.md).
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
