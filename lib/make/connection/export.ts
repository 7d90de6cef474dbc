/**
 * What the Make module holds about a user, for "Download my data": the connection's status, its whole
 * activity and the revocations still queued. Every field is picked by name, so no token value and no
 * ciphertext can reach the export whatever columns are added later: name a new field here to export it.
 */
import "server-only";
import { db } from "@/lib/db";
import { connectionStatus } from "@/lib/make/connection/status";

export async function exportMakeData(userId: string) {
  const [{ status }, activity, pendingRevocations] = await Promise.all([
    connectionStatus(userId),
    db.connectionEvent.findMany({
      where: { userId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { kind: true, outcome: true, errorCode: true, detail: true, createdAt: true },
    }),
    db.pendingRevocation.findMany({
      where: { userId },
      select: { tokenTypeHint: true, attempts: true, lastError: true, nextAttemptAt: true, createdAt: true },
    }),
  ]);
  return { connection: status, activity, pendingRevocations };
}
