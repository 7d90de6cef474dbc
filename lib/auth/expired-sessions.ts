/**
 * Deletes the sessions whose expiry, or absolute lifetime (AUTH_SESSION_MAX_AGE_DAYS), has passed. Auth.js already refuses an expired session when its cookie
 * comes back, but a session whose browser never returns stays in the table; the scheduled cron route
 * (app/api/cron/revocations) clears them. One statement, so running it twice at once is harmless.
 */
import "server-only";
import { db } from "@/lib/db";
import { signedInTooLongAgo } from "@/lib/auth/session-lifetime";

export async function deleteExpiredSessions(now = new Date()): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { OR: [{ expires: { lt: now } }, { createdAt: { lt: signedInTooLongAgo(now) } }] },
  });
  return count;
}
