/**
 * Session tokens are stored as their SHA-256, so a database dump holds no working cookie: the adapter wrapper
 * for Auth.js, and `hashSessionToken` for every other lookup by session token (lib/auth/README.md).
 */
import "server-only";
import { createHash } from "node:crypto";
import type { Adapter } from "next-auth/adapters";
import { effectiveExpiry } from "@/lib/auth/session-lifetime";

export const hashSessionToken = (sessionToken: string) =>
  createHash("sha256").update(sessionToken).digest("base64url");

/** Wraps the session methods of an Auth.js database adapter so that only hashes reach the database. */
export function withHashedSessionTokens(base: Adapter): Adapter {
  const { createSession, getSessionAndUser, updateSession, deleteSession } = base;
  if (!createSession || !getSessionAndUser || !updateSession || !deleteSession) {
    throw new TypeError("database sessions need an adapter with session methods");
  }
  const adapter = { createSession, getSessionAndUser, updateSession, deleteSession };
  return {
    ...base,
    ...adapter,
    async createSession(session) {
      const created = await adapter.createSession({
        ...session,
        sessionToken: hashSessionToken(session.sessionToken),
      });
      return { ...created, sessionToken: session.sessionToken };
    },
    async getSessionAndUser(sessionToken) {
      const found = await adapter.getSessionAndUser(hashSessionToken(sessionToken));
      if (!found) return null;
      // Past its absolute lifetime, the session reads as expired (Auth.js then deletes it).
      const { createdAt } = found.session as typeof found.session & { createdAt?: Date };
      const expires = createdAt
        ? effectiveExpiry({ expires: found.session.expires, createdAt })
        : found.session.expires;
      return { ...found, session: { ...found.session, expires, sessionToken } };
    },
    async updateSession(session) {
      const updated = await adapter.updateSession({
        ...session,
        sessionToken: hashSessionToken(session.sessionToken),
      });
      return updated && { ...updated, sessionToken: session.sessionToken };
    },
    async deleteSession(sessionToken) {
      await adapter.deleteSession(hashSessionToken(sessionToken));
    },
  };
}
