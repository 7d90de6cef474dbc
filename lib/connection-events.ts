/**
 * Your product's reaction to what happens to a user's Make connection: email the user when it breaks,
 * pause their jobs when it lapses, resume them when it recovers. Every event reaches this handler at least
 * once, in order per user, after its change has committed (lib/make/connection/outbox.ts delivers it).
 */
import "server-only";
import type { MakeConnectionEvent } from "@/lib/make-connection-event";
import { log } from "@/lib/log";

/**
 * Called once per event (again only if it threw, or the process died before recording that it ran), so
 * keep it idempotent: `event.id` is the same on every delivery. Throwing retries it later, with backoff,
 * and holds back the user's later events until it succeeds.
 */
export async function onMakeConnectionEvent(event: MakeConnectionEvent): Promise<void> {
  switch (event.type) {
    case "make.connection.reauth_required":
    case "make.connection.lapsed":
    case "make.connection.revoked":
    case "make.connection.deleted":
      // The connection no longer works: pause what runs on it, tell the user.
      log.info("make connection stopped", { type: event.type, userId: event.data.userId });
      return;
    case "make.connection.connected":
    case "make.connection.reconnected":
    case "make.connection.recovered":
      // It works (again): resume.
      log.info("make connection working", { type: event.type, userId: event.data.userId });
      return;
  }
}
