/**
 * The one read on every protected request: a session (by its stored, hashed token) with its user and the
 * user's Make connection (lib/make's fragment), in ONE SQL statement sent straight to the `pg` pool that
 * Prisma also uses. Why not Prisma, and what keeps this honest: lib/auth/README.md.
 */
import "server-only";
import { pool } from "@/lib/db";
import { timestampFromJson } from "@/lib/db/json-timestamps";
import { readSessionConnection, sessionConnectionSql, type SessionConnection } from "@/lib/make/auth";

export interface StoredSession extends SessionConnection {
  expires: Date;
  /** When the session was signed in: it ends AUTH_SESSION_MAX_AGE_DAYS later (lib/auth/session-lifetime.ts). */
  createdAt: Date;
  user: { id: string; name: string | null; email: string | null; image: string | null };
}

// Unnamed on purpose: a named (prepared) statement breaks behind PgBouncer-style transaction poolers.
const SESSION_SQL = `
  SELECT json_build_object(
    'expires', s.expires,
    'createdAt', s."createdAt",
    'user', json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'image', u.image),
    'connection', ${sessionConnectionSql("u.id")}
  )::text AS session
  FROM "Session" s JOIN "User" u ON u.id = s."userId"
  WHERE s."sessionToken" = $1`;

/** The session stored under `sessionKey` (the hashed cookie value), expired or not; null when there is none. */
export async function readSession(sessionKey: string): Promise<StoredSession | null> {
  const { rows } = await pool.query<{ session: string }>(SESSION_SQL, [sessionKey]);
  if (!rows[0]) return null;
  const { expires, createdAt, user, connection } = JSON.parse(rows[0].session) as {
    expires: string;
    createdAt: string;
    user: StoredSession["user"];
    connection: Parameters<typeof readSessionConnection>[0];
  };
  return {
    expires: timestampFromJson(expires),
    createdAt: timestampFromJson(createdAt),
    user,
    ...readSessionConnection(connection),
  };
}
