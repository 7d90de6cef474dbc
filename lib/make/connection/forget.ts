/**
 * Account deletion, as one transaction: the user's Make row locked, its tokens queued for revocation, the
 * `deleted` event written, the app's rows deleted and the browser's sessions remembered (ForgottenSession),
 * so a sign-in already under way is refused; then Make is asked for a moment (docs/security.md, "Retention").
 * Edit it to change what deletion does to the Make connection; a product's rows go in its `deleteAppRows`.
 */
import "server-only";
import { outliveResponse } from "@/lib/background-work";
import { db, type Transaction } from "@/lib/db";
import { errorMessage, log } from "@/lib/log";
import { sleep } from "@/lib/timeouts";
import { forgotten } from "@/lib/make/connection/state";
import { deliverMakeEventsLater, enqueueMakeEvent } from "@/lib/make/connection/outbox";
import { deliverPendingRevocations, queueRevocations } from "@/lib/make/connection/revoke";

/** How long account deletion lets Make confirm the revocations before it answers without them. */
const FORGET_PATIENCE_MS = 2_000;
/** How long a deleted user's session refuses a sign-in callback that was under way. */
const FORGOTTEN_SESSION_DAYS = 1;

/**
 * Deletes the user's Make connection and, in the same transaction, `deleteAppRows` (the app's own rows of
 * the user). Throws MakeConnectionError `key_unavailable` (nothing deleted) when the stored tokens are
 * sealed under a key this server lacks: another server, or this one in a moment, can do it.
 */
export async function forgetMakeUser(
  userId: string,
  deleteAppRows: (tx: Transaction) => Promise<void> = async () => {},
): Promise<void> {
  const queued = await db.$transaction(async (tx) => {
    const held = await forgotten(tx, userId);
    const ids = held ? await queueRevocations(tx, null, held.tokens) : [];
    if (held)
      await enqueueMakeEvent(tx, "deleted", { userId, sub: held.sub, state: "deleted", reason: null });
    await tx.$executeRaw`
      INSERT INTO "ForgottenSession" ("sessionToken")
      SELECT "sessionToken" FROM "Session" WHERE "userId" = ${userId}
      ON CONFLICT DO NOTHING`;
    await deleteAppRows(tx);
    return ids;
  });
  deliverMakeEventsLater(userId);
  if (queued.length === 0) return;
  const delivery = outliveResponse(
    "revocations of a deleted user",
    deliverPendingRevocations({ ids: queued }).catch((error) =>
      log.warn("revocation delivery failed; Make is told later", { error: errorMessage(error) }),
    ),
  );
  await Promise.race([delivery, sleep(FORGET_PATIENCE_MS)]);
}

/** True when `sessionKey` (a stored session token) belonged to a user deleted within the last day. */
export async function wasForgotten(sessionKey: string | undefined): Promise<boolean> {
  if (!sessionKey) return false;
  return !!(await db.forgottenSession.findUnique({ where: { sessionToken: sessionKey } }));
}

/**
 * A sign-in callback from a deleted user's browser: the tokens Make just issued are queued for revocation,
 * under nobody's name, and nothing else is written.
 */
export async function discardSignInOfForgottenUser(tokens: {
  accessToken?: string | null;
  refreshToken?: string | null;
}) {
  const ids = await queueRevocations(db, null, tokens);
  if (ids.length > 0)
    void outliveResponse("revocations of a refused sign-in", deliverPendingRevocations({ ids }));
}

/** The cron run's part: forgotten sessions older than a day are no longer needed. */
export async function sweepForgottenSessions(): Promise<number> {
  const { count } = await db.forgottenSession.deleteMany({
    where: { forgottenAt: { lt: new Date(Date.now() - FORGOTTEN_SESSION_DAYS * 86_400_000) } },
  });
  return count;
}
