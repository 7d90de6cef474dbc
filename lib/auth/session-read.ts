/**
 * The SQL of the one session read: a session by its hashed token, its user, the user's Make account, the
 * latest activity and the queued revocations, in one statement on Prisma's `pg` pool. Edit it with the
 * schema; why not Prisma, and what keeps it equal to Prisma's read: lib/auth/README.md.
 */
import "server-only";
import type { Account, ConnectionEvent } from "@/lib/generated/prisma/client";
import { pool } from "@/lib/db";
import { openEncryptedColumns } from "@/lib/db/encrypted-columns";
import { MAKE_PROVIDER_ID, RECENT_EVENTS } from "@/lib/make";

export interface StoredSession {
  expires: Date;
  /** When the session was signed in: it ends AUTH_SESSION_MAX_AGE_DAYS later (lib/auth/session-lifetime.ts). */
  createdAt: Date;
  user: { id: string; name: string | null; email: string | null; image: string | null };
  /**
   * The user's Make account (one per user: a unique index), tokens decrypted (server-side only; a token
   * that could not be decrypted reads as null, see `unreadableTokens`), if one is connected.
   */
  account: Account | null;
  /** The latest activity of the Make connection, newest first. */
  events: ConnectionEvent[];
  /** Revocations Make has not confirmed yet. */
  pendingRevocations: number;
}

// Unnamed on purpose: a named (prepared) statement breaks behind PgBouncer-style transaction poolers.
const SESSION_SQL = `
  SELECT json_build_object(
    'expires', s.expires,
    'createdAt', s."createdAt",
    'user', json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'image', u.image),
    'account', (SELECT row_to_json(a) FROM "Account" a WHERE a."userId" = u.id AND a.provider = $2),
    'events', (
      SELECT coalesce(json_agg(e ORDER BY e."createdAt" DESC, e.id DESC), '[]'::json)
      FROM (
        SELECT * FROM "ConnectionEvent" WHERE "userId" = u.id
        ORDER BY "createdAt" DESC, id DESC LIMIT ${RECENT_EVENTS}
      ) e
    ),
    'pendingRevocations', (SELECT count(*) FROM "PendingRevocation" p WHERE p."userId" = u.id)
  )::text AS session
  FROM "Session" s JOIN "User" u ON u.id = s."userId"
  WHERE s."sessionToken" = $1`;

type Json = Record<string, unknown>;

// JSON has no dates: these are the DateTime columns, which Prisma stores as `timestamp(3)` holding UTC and
// JSON renders without a zone. Every other column arrives as Prisma would return it.
const ACCOUNT_DATES = [
  "connectedAt",
  "lastRefreshedAt",
  "lastErrorAt",
  "nextRetryAt",
  "refreshLeaseUntil",
  "updatedAt",
] as const;
const EVENT_DATES = ["createdAt"] as const;

const utc = (value: unknown) => new Date(`${value as string}Z`);

function withDates<T>(row: Json, columns: readonly (keyof T & string)[]): T {
  const out = { ...row };
  for (const column of columns) if (out[column] !== null) out[column] = utc(out[column]);
  return out as T;
}

/** The session stored under `sessionKey` (the hashed cookie value), expired or not; null when there is none. */
export async function readSession(sessionKey: string): Promise<StoredSession | null> {
  const { rows } = await pool.query<{ session: string }>(SESSION_SQL, [sessionKey, MAKE_PROVIDER_ID]);
  if (!rows[0]) return null;
  const { expires, createdAt, user, account, events, pendingRevocations } = JSON.parse(rows[0].session) as {
    expires: string;
    createdAt: string;
    user: StoredSession["user"];
    account: Json | null;
    events: Json[];
    pendingRevocations: number;
  };
  return {
    expires: utc(expires),
    createdAt: utc(createdAt),
    user,
    account: account && openEncryptedColumns(withDates<Account>(account, ACCOUNT_DATES), "Account"),
    events: events.map((event) => withDates<ConnectionEvent>(event, EVENT_DATES)),
    pendingRevocations,
  };
}
