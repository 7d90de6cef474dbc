/**
 * Deletes the sessions whose expiry has passed. Auth.js already refuses an expired session when its cookie
 * comes back, but a session whose browser never returns stays in the table; the scheduled cron route
 * (app/api/cron/revocations) clears them. One statement, so running it twice at once is harmless.
 */
import "server-only";
import { db } from "@/lib/db";

export async function deleteExpiredSessions(now = new Date()): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { expires: { lt: now } } });
  return count;
}
