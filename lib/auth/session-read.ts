/**
 * The one read on every protected request: a session (by its stored, hashed token) with its user, the
 * user's Make account and the latest activity, in ONE SQL statement sent straight to the `pg` pool that
 * Prisma also uses.
 *
 * Why not Prisma here: `npm run bench` measured Prisma's client at about 1 ms of CPU per query on top of
 * the query itself (the same joined read through `pg` costs a fraction of that), which on this request
 * alone made /dashboard a third slower. Everything else goes through Prisma. What keeps this honest:
 * - rows are typed as Prisma's own models, so a new column fails type-checking here until it is mapped;
 * - token columns are opened by lib/tokens/encrypted-prisma.ts, the same code as every Prisma read;
 * - tests/integration/session-read.test.ts checks that this read equals Prisma's read of the same rows.
 */
import "server-only";
import type { Account, ConnectionEvent } from "@/lib/generated/prisma/client";
import { pool } from "@/lib/db";
import { openTokenColumns } from "@/lib/tokens/encrypted-prisma";
import { RECENT_EVENTS } from "@/lib/connection/events";

export interface StoredSession {
  expires: Date;
  user: { id: string; name: string | null; email: string | null; image: string | null };
  /** The user's Make account (tokens decrypted, server-side only), if one is connected. */
  account: Account | null;
  /** The latest activity of the Make connection, newest first. */
  events: ConnectionEvent[];
}

// Unnamed on purpose: a named (prepared) statement breaks behind PgBouncer-style transaction poolers.
const SESSION_SQL = `
    SELECT json_build_object(
      'expires', s.expires,
      'user', json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'image', u.image),
      'account', (SELECT row_to_json(a) FROM "Account" a WHERE a."userId" = u.id AND a.provider = 'make' LIMIT 1),
      'events', (
        SELECT coalesce(json_agg(e ORDER BY e."createdAt" DESC, e.id DESC), '[]'::json)
        FROM (SELECT * FROM "ConnectionEvent" WHERE "userId" = u.id ORDER BY "createdAt" DESC, id DESC LIMIT ${RECENT_EVENTS}) e
      )
    )::text AS session
    FROM "Session" s JOIN "User" u ON u.id = s."userId"
    WHERE s."sessionToken" = $1`;

type Json = Record<string, unknown>;

/** Prisma's DateTime columns are `timestamp(3)` holding UTC; JSON renders them without a zone. */
const utc = (value: unknown): Date => new Date(`${value as string}Z`);
const utcOrNull = (value: unknown): Date | null => (value === null ? null : utc(value));
const text = (value: unknown) => value as string;
const textOrNull = (value: unknown) => value as string | null;
const intOrNull = (value: unknown) => value as number | null;

function toAccount(row: Json): Account {
  return {
    id: text(row.id),
    userId: text(row.userId),
    type: text(row.type),
    provider: text(row.provider),
    providerAccountId: text(row.providerAccountId),
    refresh_token: textOrNull(row.refresh_token),
    access_token: textOrNull(row.access_token),
    expires_at: intOrNull(row.expires_at),
    token_type: textOrNull(row.token_type),
    scope: textOrNull(row.scope),
    id_token: textOrNull(row.id_token),
    session_state: textOrNull(row.session_state),
    state: row.state as Account["state"],
    issuer: textOrNull(row.issuer),
    clientType: textOrNull(row.clientType),
    connectedAt: utc(row.connectedAt),
    lastRefreshedAt: utcOrNull(row.lastRefreshedAt),
    lastError: textOrNull(row.lastError),
    lastErrorAt: utcOrNull(row.lastErrorAt),
    nextRetryAt: utcOrNull(row.nextRetryAt),
    refreshFailures: row.refreshFailures as number,
    refreshLeaseId: textOrNull(row.refreshLeaseId),
    refreshLeaseUntil: utcOrNull(row.refreshLeaseUntil),
    tokenVersion: row.tokenVersion as number,
    updatedAt: utc(row.updatedAt),
  };
}

function toEvent(row: Json): ConnectionEvent {
  return {
    id: text(row.id),
    userId: text(row.userId),
    kind: text(row.kind),
    outcome: text(row.outcome),
    errorCode: textOrNull(row.errorCode),
    detail: textOrNull(row.detail),
    createdAt: utc(row.createdAt),
  };
}

/** The session stored under `sessionKey` (the hashed cookie value), expired or not; null when there is none. */
export async function readSession(sessionKey: string): Promise<StoredSession | null> {
  const { rows } = await pool.query<{ session: string }>(SESSION_SQL, [sessionKey]);
  if (!rows[0]) return null;
  const { expires, user, account, events } = JSON.parse(rows[0].session) as {
    expires: string;
    user: StoredSession["user"];
    account: Json | null;
    events: Json[];
  };
  return {
    expires: utc(expires),
    user,
    account: account && openTokenColumns(toAccount(account)),
    events: events.map(toEvent),
  };
}
