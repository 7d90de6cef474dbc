/**
 * Connection events for the product: written to the MakeEventOutbox in the transaction of the change they
 * report, then delivered at least once, in order per user, to lib/connection-events.ts and, when
 * MAKE_EVENTS_WEBHOOK_URL is set, to a webhook signed as Standard Webhooks specifies (docs/extending.md).
 * Edit it to change the delivery; what a product does with an event goes in lib/connection-events.ts.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { outliveResponse } from "@/lib/background-work";
import { onMakeConnectionEvent } from "@/lib/connection-events";
import { db, type Transaction } from "@/lib/db";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import type {
  MakeConnectionEvent,
  MakeConnectionEventData,
  MakeConnectionEventName,
} from "@/lib/make-connection-event";

const WEBHOOK_TIMEOUT_MS = 10_000;
/** Heads (one user's oldest event each) claimed and delivered at once. */
const CLAIM_BATCH = 4;
const CLAIM_MS = WEBHOOK_TIMEOUT_MS * 2 + 30_000;
const USER_DELIVERY_BUDGET_MS = 20_000;
/** Backoff from 5 s, doubling, at most an hour; an event still undelivered after three days is dropped. */
const retryDelayMs = (attempts: number) => Math.min(5_000 * 2 ** (attempts - 1), 60 * 60_000);
const GIVE_UP_AFTER_MS = 3 * 86_400_000;

/** Writes an event in the caller's transaction; returns its id. */
export async function enqueueMakeEvent(
  tx: Transaction,
  name: MakeConnectionEventName,
  data: MakeConnectionEventData,
): Promise<string> {
  const id = newEventId();
  await tx.makeEventOutbox.create({
    data: { id, userId: data.userId, type: `make.connection.${name}`, data: { ...data } },
  });
  return id;
}

export const newEventId = () => `msg_${randomUUID().replaceAll("-", "")}`;

/** After a commit that enqueued events: deliver them once the response is sent. */
export function deliverMakeEventsLater(userId: string): void {
  void outliveResponse("make connection events", deliverMakeEvents({ userId }));
}

export interface EventRun {
  delivered: number;
  retrying: number;
  dropped: number;
  /** Events still in the outbox when the run ended (of the user, or all), due or not. */
  remaining: number;
}

interface OutboxRow {
  id: string;
  userId: string;
  type: string;
  data: MakeConnectionEventData;
  occurredAt: Date;
  handled: boolean;
  attempts: number;
}

/**
 * Delivers due events (of one user, or all) until none is due or `budgetMs` is nearly spent. Only the
 * oldest event of each user is ever claimed, and it leaves the outbox only once delivered, so a user's
 * events go out in order; a claim (on the database's clock) keeps two runs from sending the same one.
 */
export async function deliverMakeEvents(
  filter: { userId?: string } = {},
  budgetMs = USER_DELIVERY_BUDGET_MS,
): Promise<EventRun> {
  const deadline = Date.now() + budgetMs;
  const run = { delivered: 0, retrying: 0, dropped: 0 };
  for (let first = true; first || Date.now() + WEBHOOK_TIMEOUT_MS <= deadline; first = false) {
    const claimed = await claimHeads(filter.userId);
    if (claimed.length === 0) break;
    for (const outcome of await Promise.all(claimed.map(deliver))) run[outcome] += 1;
  }
  const remaining = await db.makeEventOutbox.count({ where: filter });
  return { ...run, remaining };
}

function claimHeads(userId: string | undefined) {
  return db.$queryRaw<OutboxRow[]>`
    UPDATE "MakeEventOutbox"
    SET "claimedUntil" = (now() AT TIME ZONE 'UTC') + ${CLAIM_MS}::integer * interval '1 millisecond'
    WHERE id IN (
      SELECT id FROM (
        SELECT DISTINCT ON ("userId") * FROM "MakeEventOutbox"
        WHERE (${userId ?? null}::text IS NULL OR "userId" = ${userId ?? null}::text)
        ORDER BY "userId", sequence
      ) head
      WHERE "nextAttemptAt" <= (now() AT TIME ZONE 'UTC')
        AND ("claimedUntil" IS NULL OR "claimedUntil" < (now() AT TIME ZONE 'UTC'))
      ORDER BY sequence
      LIMIT ${CLAIM_BATCH}
    )
      AND "nextAttemptAt" <= (now() AT TIME ZONE 'UTC')
      AND ("claimedUntil" IS NULL OR "claimedUntil" < (now() AT TIME ZONE 'UTC'))
    RETURNING id, "userId", type, data, "occurredAt", handled, attempts`;
}

const asEvent = (row: OutboxRow): MakeConnectionEvent => ({
  id: row.id,
  type: row.type as MakeConnectionEvent["type"],
  timestamp: row.occurredAt.toISOString(),
  // In the documented order (JSONB keeps its own).
  data: { userId: row.data.userId, sub: row.data.sub, state: row.data.state, reason: row.data.reason },
});

async function deliver(row: OutboxRow): Promise<"delivered" | "retrying" | "dropped"> {
  const event = asEvent(row);
  try {
    if (!row.handled) {
      await onMakeConnectionEvent(event);
      await db.makeEventOutbox.update({ where: { id: row.id }, data: { handled: true } });
    }
    if (env.MAKE_EVENTS_WEBHOOK_URL) await postWebhook(event);
  } catch (error) {
    return failed(row, error);
  }
  await db.makeEventOutbox.delete({ where: { id: row.id } });
  return "delivered";
}

async function failed(row: OutboxRow, error: unknown): Promise<"retrying" | "dropped"> {
  const reason = errorMessage(error).slice(0, 200);
  if (Date.now() - row.occurredAt.getTime() > GIVE_UP_AFTER_MS) {
    log.error("connection event dropped after days of failed deliveries", {
      id: row.id,
      type: row.type,
      reason,
    });
    await db.makeEventOutbox.delete({ where: { id: row.id } });
    return "dropped";
  }
  const attempts = row.attempts + 1;
  log.warn("connection event not delivered; retried later", { id: row.id, attempts, reason });
  await db.makeEventOutbox.update({
    where: { id: row.id },
    data: {
      attempts,
      lastError: reason,
      nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)),
      claimedUntil: null,
    },
  });
  return "retrying";
}

/** POSTs the event as Standard Webhooks specifies; anything but a 2xx answer is a failure. */
async function postWebhook(event: MakeConnectionEvent): Promise<void> {
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
  const sentAt = new Date();
  const signature = new Webhook(env.MAKE_EVENTS_WEBHOOK_SECRET!).sign(event.id, sentAt, body);
  const response = await fetch(env.MAKE_EVENTS_WEBHOOK_URL!, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": event.id,
      "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`webhook answered ${response.status}`);
}
