/**
 * The activity log of a Make connection: sign-ins, refreshes, failures, revocations, reconnects.
 * Entries carry an outcome and an error code, never a token. Add a kind here when the dashboard should
 * show a new kind of activity.
 */
import "server-only";
import { db } from "@/lib/db";

export type ConnectionEventKind =
  | "connected"
  | "reconnected"
  | "refreshed"
  | "refresh_answer_rejected"
  | "refresh_failed"
  | "reauth_required"
  | "revoked"
  | "revocation_confirmed"
  | "revocation_failed"
  /** The scheduled job refreshed an idle connection (lib/make/ops/maintenance.ts), or tried to. */
  | "kept_alive"
  /** Unused for MAKE_LAPSE_AFTER_DAYS: tokens revoked and deleted (lib/make/connection/lapse.ts). */
  | "lapsed";

export async function recordConnectionEvent(
  userId: string,
  kind: ConnectionEventKind,
  outcome: "ok" | "error" | "pending",
  details: { errorCode?: string; detail?: string } = {},
) {
  await db.connectionEvent.create({
    data: { userId, kind, outcome, errorCode: details.errorCode, detail: details.detail },
  });
}

/** How many of the latest events the dashboard shows. */
export const RECENT_EVENTS = 5;

export function recentConnectionEvents(userId: string, take = RECENT_EVENTS) {
  return db.connectionEvent.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
}
