/**
 * The Make connection's part of the session read (lib/auth/session-read.ts): a SQL fragment that reads the
 * user's Make account, latest activity and queued revocation count as one JSON value in the same
 * statement, and the decoder that turns it into rows as Prisma would return them. Edit both together.
 */
import "server-only";
import type { Account, ConnectionEvent } from "@/lib/generated/prisma/client";
import { openEncryptedColumns } from "@/lib/db/encrypted-columns";
import { timestampFromJson } from "@/lib/db/json-timestamps";
import { RECENT_EVENTS } from "@/lib/make/connection/events";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";

/** What the fragment reads, decoded. */
export interface SessionConnection {
  /** Tokens decrypted (a token that could not be decrypted reads as null); null when none is connected. */
  account: Account | null;
  /** The latest activity, newest first. */
  events: ConnectionEvent[];
  /** Revocations Make has not confirmed yet. */
  pendingRevocations: number;
}

/** A JSON expression for the user whose id is `userId` (a column); the provider id is a literal constant. */
export const sessionConnectionSql = (userId: string) => `json_build_object(
    'account', (SELECT row_to_json(a) FROM "Account" a WHERE a."userId" = ${userId} AND a.provider = '${MAKE_PROVIDER_ID}'),
    'events', (
      SELECT coalesce(json_agg(e ORDER BY e."createdAt" DESC, e.id DESC), '[]'::json)
      FROM (
        SELECT * FROM "ConnectionEvent" WHERE "userId" = ${userId}
        ORDER BY "createdAt" DESC, id DESC LIMIT ${RECENT_EVENTS}
      ) e
    ),
    'pendingRevocations', (SELECT count(*) FROM "PendingRevocation" p WHERE p."userId" = ${userId})
  )`;

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

function withDates<T>(row: Json, columns: readonly (keyof T & string)[]): T {
  const out = { ...row };
  for (const column of columns) if (out[column] !== null) out[column] = timestampFromJson(out[column]);
  return out as T;
}

/** Decodes the fragment's value. */
export function readSessionConnection(value: {
  account: Json | null;
  events: Json[];
  pendingRevocations: number;
}): SessionConnection {
  return {
    account:
      value.account && openEncryptedColumns(withDates<Account>(value.account, ACCOUNT_DATES), "Account"),
    events: value.events.map((event) => withDates<ConnectionEvent>(event, EVENT_DATES)),
    pendingRevocations: value.pendingRevocations,
  };
}
