/**
 * The signed-in user for pages, routes and actions, read in ONE database round trip per request: the
 * session (by the Auth.js session cookie), its user, the user's Make account and the latest activity,
 * in a single SQL statement (lib/auth/session-read.ts). Auth.js's `auth()` would cost one query for the
 * session and the dashboard three more; this is the hot path of every protected page.
 *
 * Validity follows Auth.js's database sessions: the row must exist and not be expired; like `auth()`, a
 * session older than `updateAge` has its expiry pushed forward (after the response, off the hot path).
 * @see https://authjs.dev/concepts/session-strategies#database-session
 */
import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { after } from "next/server";
import { redirect } from "next/navigation";
import { authConfig, SESSION_COOKIES } from "@/auth.config";
import { db } from "@/lib/db";
import { hashSessionToken } from "@/lib/auth/hashed-sessions";
import { readSession, type StoredSession } from "@/lib/auth/session-read";

/** The stored (hashed) token of this browser's session cookie, if it has one. */
export async function currentSessionKey(): Promise<string | undefined> {
  const jar = await cookies();
  const token = SESSION_COOKIES.map((name) => jar.get(name)?.value).find(Boolean);
  return token && hashSessionToken(token);
}

export interface SignedInUser extends Readonly<StoredSession["user"]> {
  /** The Make account row as it was at the start of the request (tokens decrypted, server-side only). */
  makeAccount: StoredSession["account"];
  recentEvents: StoredSession["events"];
}

function extendWhenDue(sessionToken: string, expires: Date) {
  const { maxAge, updateAge } = authConfig.session;
  const lastExtended = expires.getTime() - maxAge * 1000;
  if (Date.now() - lastExtended < updateAge * 1000) return;
  after(() =>
    db.session.updateMany({ where: { sessionToken }, data: { expires: new Date(Date.now() + maxAge * 1000) } }).then(() => {}),
  );
}

export const currentUser = cache(async (): Promise<SignedInUser | null> => {
  const token = await currentSessionKey();
  if (!token) return null;
  const session = await readSession(token);
  if (!session || session.expires.getTime() <= Date.now()) return null;
  extendWhenDue(token, session.expires);
  return { ...session.user, makeAccount: session.account, recentEvents: session.events };
});

export async function requireUser(callbackUrl = "/dashboard"): Promise<SignedInUser> {
  const user = await currentUser();
  if (!user) redirect(`/?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  return user;
}
