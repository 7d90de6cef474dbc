/**
 * The signed-in user for pages, routes and actions (`currentUser`, `requireUser`): one database round trip
 * per request, the Make account handed on to lib/make. Edit it to change what a session carries or how it is
 * renewed; why it is not Auth.js's `auth()`: lib/auth/README.md, "The one session read".
 */
import "server-only";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { after } from "next/server";
import { redirect } from "next/navigation";
import { authConfig } from "@/auth.config";
import { db } from "@/lib/db";
import { deploymentUrl } from "@/lib/env";
import { hashSessionToken } from "@/lib/auth/hashed-sessions";
import { besideSessionCookie, isSecureCookieName, sessionCookieName } from "@/lib/auth/session-cookie";
import { readSession, type StoredSession } from "@/lib/auth/session-read";
import { effectiveExpiry, sessionEndsBy } from "@/lib/auth/session-lifetime";
import { preloadConnection } from "@/lib/make/auth";

async function sessionCookieOfRequest() {
  const [jar, requestHeaders] = await Promise.all([cookies(), headers()]);
  const forwardedProto = requestHeaders.get("x-forwarded-proto");
  return { jar, name: sessionCookieName({ authUrl: deploymentUrl(), forwardedProto }) };
}

/**
 * After an account deletion, the start page says so once: a cookie of this site's own for a minute, not a
 * query parameter anyone could put in a link. Named like the session cookie (`__Host-` under https).
 */
const ACCOUNT_DELETED_COOKIE = "account-deleted";

export async function markAccountDeleted(): Promise<void> {
  const { jar, name } = await sessionCookieOfRequest();
  const secure = isSecureCookieName(name);
  jar.set(besideSessionCookie(name, ACCOUNT_DELETED_COOKIE), "1", {
    maxAge: 60,
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure,
  });
}

export async function accountJustDeleted(): Promise<boolean> {
  const { jar, name } = await sessionCookieOfRequest();
  return jar.has(besideSessionCookie(name, ACCOUNT_DELETED_COOKIE));
}

/** The stored (hashed) token of this browser's session cookie, if it has one. */
export async function currentSessionKey(): Promise<string | undefined> {
  const { jar, name } = await sessionCookieOfRequest();
  const token = jar.get(name)?.value;
  return token ? hashSessionToken(token) : undefined;
}

/**
 * Drops this browser's session cookie, for when its session row is already gone (account deletion):
 * Auth.js's signOut would look the row up to delete it.
 */
export async function clearSessionCookie(): Promise<void> {
  const { jar, name } = await sessionCookieOfRequest();
  jar.set(name, "", {
    maxAge: 0,
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: isSecureCookieName(name),
  });
}

/** The signed-in user; the Make connection's status comes from `connectionStatus(user.id)` (lib/make). */
export type SignedInUser = Readonly<StoredSession["user"]>;

function extendWhenDue(sessionToken: string, session: { expires: Date; createdAt: Date }) {
  const { maxAge, updateAge } = authConfig.session;
  const lastExtended = session.expires.getTime() - maxAge * 1000;
  if (Date.now() - lastExtended < updateAge * 1000) return;
  const expires = effectiveExpiry({
    expires: new Date(Date.now() + maxAge * 1000),
    createdAt: session.createdAt,
  });
  after(() => db.session.updateMany({ where: { sessionToken }, data: { expires } }).then(() => {}));
}

/** This browser's live session: when it was signed in, and when it ends at the latest. */
export interface SessionTimes {
  signedInAt: Date;
  endsBy: Date;
}

const readCurrentSession = cache(async () => {
  const token = await currentSessionKey();
  if (!token) return null;
  const session = await readSession(token);
  if (!session || effectiveExpiry(session).getTime() <= Date.now()) return null;
  extendWhenDue(token, session);
  await preloadConnection(session.user.id, session.account, session.events, session.pendingRevocations);
  return session;
});

export const currentUser = cache(
  async (): Promise<SignedInUser | null> => (await readCurrentSession())?.user ?? null,
);

/** For the account page: when this session began and when it must be signed in again. */
export async function currentSessionTimes(): Promise<SessionTimes | null> {
  const session = await readCurrentSession();
  return session && { signedInAt: session.createdAt, endsBy: sessionEndsBy(session.createdAt) };
}

/** The id of the user whose live session this browser holds, for Auth.js callbacks; one small query. */
export async function signedInUserId(): Promise<string | null> {
  const key = await currentSessionKey();
  if (!key) return null;
  const session = await db.session.findUnique({
    where: { sessionToken: key },
    select: { userId: true, expires: true, createdAt: true },
  });
  return session && effectiveExpiry(session).getTime() > Date.now() ? session.userId : null;
}

export async function requireUser(callbackUrl = "/dashboard"): Promise<SignedInUser> {
  const user = await currentUser();
  if (!user) redirect(`/?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  return user;
}
