/**
 * The part of the Auth.js configuration that needs no database, shared by auth.ts and proxy.ts.
 * Sessions live in the database, so the proxy can only see whether a session cookie is present;
 * pages check the session for real (`currentUser`/`requireUser` in lib/auth).
 * @see https://authjs.dev/getting-started/session-management/protecting
 */
import type { NextAuthConfig } from "next-auth";

export const authConfig = {
  pages: { signIn: "/", error: "/auth/error" },
  session: { strategy: "database", maxAge: 30 * 24 * 60 * 60, updateAge: 24 * 60 * 60 },
  providers: [],
} satisfies NextAuthConfig;

/**
 * Set beside the session cookie for `updateAge` once proxy.ts renewed the cookie's expiry; under https it
 * carries the session cookie's `__Host-` prefix (`besideSessionCookie`).
 */
export const SESSION_RENEWED_COOKIE = "session-renewed";
