/**
 * The shape of a connection event, as the product's handler (lib/connection-events.ts) and the webhook
 * receive it. It imports nothing, so the handler can name it without tying itself to lib/make's insides.
 * Edit it with the outbox that fills it (lib/make/connection/outbox.ts): webhook receivers depend on it.
 */

export type MakeConnectionEventName =
  "connected" | "reconnected" | "reauth_required" | "recovered" | "revoked" | "lapsed" | "deleted";

/** What an event says: whose connection, which Make user, the state it is in now and why. Never a token. */
export interface MakeConnectionEventData {
  /** The app's user id. */
  userId: string;
  /** The Make user id (`sub`), when the connection was known. */
  sub: string | null;
  state: "active" | "reauth_required" | "revoked" | "lapsed" | "deleted";
  /** Why, for reauth_required (Make's error code) and lapsed; null otherwise. */
  reason: string | null;
}

/** The Standard Webhooks body; `id` travels as the `webhook-id` header, the idempotency key. */
export interface MakeConnectionEvent {
  id: string;
  type: `make.connection.${MakeConnectionEventName}`;
  /** When the change happened (ISO 8601), not when it was delivered. */
  timestamp: string;
  data: MakeConnectionEventData;
}
