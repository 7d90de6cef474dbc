/**
 * What a product built on the starter can rely on over months: connection events reach a Standard
 * Webhooks receiver on loopback exactly once, in order, after failures of the receiver; abandoned
 * connections lapse (the database's clock moved by a statement); account deletion leaves no live grant,
 * whatever lands during it, and a server without the tokens' key refuses it instead of failing.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { MakeConnectionEvent } from "@/lib/make-connection-event";
import { ConnectionPanel } from "@/components/make/connection-panel";
import { discover, signInTokens } from "../support/make-code-flow";
import { storeConnectedAccount } from "../support/connected-account";
import { startSharedBackends, type SharedBackends, type TokenModules } from "../support/token-module-copies";
import { grantIsLive } from "../support/grant-is-live";

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const DAY_MS = 86_400_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that verifies every delivery with the package's own verifier. */
class Receiver {
  deliveries: Delivery[] = [];
  unverified = 0;
  status = 200;
  private server?: Server;
  port = 0;

  async start() {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        try {
          new Webhook(SECRET).verify(body, req.headers as Record<string, string>);
        } catch {
          this.unverified += 1;
        }
        this.deliveries.push({ headers: req.headers, body });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop() {
    await new Promise((resolve) => this.server?.close(resolve));
    this.server?.closeAllConnections();
  }

  get events() {
    return this.deliveries
      .filter((delivery) => delivery.headers["webhook-id"])
      .map((delivery) => ({ id: delivery.headers["webhook-id"] as string, ...JSON.parse(delivery.body) }));
  }
}

const receiver = new Receiver();
let backends: SharedBackends;
let app: TokenModules;
let outbox: typeof import("@/lib/make/connection/outbox");
let lapse: typeof import("@/lib/make/connection/lapse");
let forget: typeof import("@/lib/make/connection/forget");
let connection: typeof import("@/lib/make/connection/state");
let background: typeof import("@/lib/background-work");

const refreshGrants = () => backends.standIn.controls.stats().grants.refresh_token;
const account = (userId: string) => app.db.account.findFirstOrThrow({ where: { userId } });
/** Every event still waiting, and what the receiver got, once all background delivery has settled. */
async function settle() {
  await background.settleBackgroundWork();
  return outbox.deliverMakeEvents();
}

async function connect(options: { idleDays?: number } = {}) {
  const tokens = await signInTokens(await discover(backends.standIn), {
    client: "confidential",
    login: "ada",
    nonce: "n",
  });
  const userId = await storeConnectedAccount(app.db, tokens, nowSeconds() - 60);
  if (options.idleDays) await ageConnection(userId, options.idleDays);
  return { userId, tokens };
}

/** Moves the connection's last use back by `days`, on the database's clock. */
const ageConnection = (userId: string, days: number) =>
  app.db.$executeRaw`
    UPDATE "Account" SET "connectedAt" = (now() AT TIME ZONE 'UTC') - ${days}::integer * interval '1 day',
      "lastRefreshedAt" = (now() AT TIME ZONE 'UTC') - ${days}::integer * interval '1 day'
    WHERE "userId" = ${userId}`;
/** Time passes for the outbox: every waiting event is due now. */
const makeEventsDue = () =>
  app.db
    .$executeRaw`UPDATE "MakeEventOutbox" SET "nextAttemptAt" = (now() AT TIME ZONE 'UTC') - interval '1 minute'`;

beforeAll(async () => {
  await receiver.start();
  backends = await startSharedBackends();
  app = await backends.load({
    env: {
      MAKE_EVENTS_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/hooks/make`,
      MAKE_EVENTS_WEBHOOK_SECRET: SECRET,
    },
  });
  outbox = await import("@/lib/make/connection/outbox");
  lapse = await import("@/lib/make/connection/lapse");
  forget = await import("@/lib/make/connection/forget");
  connection = await import("@/lib/make/connection/state");
  background = await import("@/lib/background-work");
});
afterAll(async () => {
  await receiver.stop();
  await backends?.close();
});
beforeEach(async () => {
  await background?.settleBackgroundWork();
  backends.standIn.controls.reset();
  receiver.deliveries = [];
  receiver.unverified = 0;
  receiver.status = 200;
  await app.db.user.deleteMany();
  await app.db.pendingRevocation.deleteMany();
  await app.db.makeEventOutbox.deleteMany();
});

describe("connection events", () => {
  it("delivers a recovery, a dead grant and a revoke exactly once each, in order, every one signed", async () => {
    const { userId } = await connect({ idleDays: 40 });
    backends.standIn.controls.fail({ endpoint: "token", mode: "status", status: 503, times: 1 });
    expect(await app.maintenance.renewIdleConnections()).toMatchObject({ failed: 1 });
    await app.db.account.updateMany({ where: { userId }, data: { nextRetryAt: new Date(Date.now() - 1) } });
    expect(await app.maintenance.renewIdleConnections()).toMatchObject({ renewed: 1 });
    await ageConnection(userId, 40);
    backends.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });
    expect(await app.maintenance.renewIdleConnections()).toMatchObject({ reauthRequired: 1 });
    await app.revoke.revokeMakeConnection(userId);

    expect(await settle()).toMatchObject({ remaining: 0 });
    expect(receiver.unverified).toBe(0);
    const events = receiver.events;
    expect(events.map((event) => [event.type, event.data.state, event.data.reason])).toEqual([
      ["make.connection.recovered", "active", null],
      ["make.connection.reauth_required", "reauth_required", "invalid_grant"],
      ["make.connection.revoked", "revoked", null],
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
    for (const event of events) {
      expect(event.data).toEqual({ userId, sub: "1001", state: event.data.state, reason: event.data.reason });
      expect(Object.keys(event).sort()).toEqual(["data", "id", "timestamp", "type"]);
    }
  });

  it("delivers again, with the same webhook-id, an event the receiver answered with 500", async () => {
    const { userId } = await connect();
    receiver.status = 500;
    await app.revoke.revokeMakeConnection(userId);
    expect(await settle()).toMatchObject({ delivered: 0, remaining: 1 });
    const refused = receiver.deliveries.length;
    expect(refused).toBeGreaterThan(0);

    receiver.status = 200;
    expect(await outbox.deliverMakeEvents()).toMatchObject({ delivered: 0, remaining: 1 }); // backing off
    await makeEventsDue();
    expect(await outbox.deliverMakeEvents()).toMatchObject({ delivered: 1, remaining: 0 });
    const ids = receiver.deliveries.map((delivery) => delivery.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(1);
    expect(receiver.deliveries.length).toBe(refused + 1);
  });

  it("loses nothing while the receiver is down for a minute, and keeps each user's order", async () => {
    const { userId } = await connect();
    await receiver.stop();
    await app.revoke.revokeMakeConnection(userId);
    await connection.reconnected(
      { provider: "make", providerAccountId: "1001", type: "oidc", access_token: "a2", refresh_token: "r2" },
      userId,
      async () => {},
    );
    expect(await settle()).toMatchObject({ delivered: 0, remaining: 2 });
    expect(receiver.deliveries).toEqual([]);

    await receiver.start(); // the same port, a minute later
    await makeEventsDue();
    expect(await outbox.deliverMakeEvents()).toMatchObject({ delivered: 2, remaining: 0 });
    expect(receiver.events.map((event) => event.type)).toEqual([
      "make.connection.revoked",
      "make.connection.reconnected",
    ]);
  });

  it("a tampered body fails verification with the package's verifier", async () => {
    const { userId } = await connect();
    await app.revoke.revokeMakeConnection(userId);
    await settle();
    const [delivery] = receiver.deliveries;
    const headers = delivery!.headers as Record<string, string>;
    expect(new Webhook(SECRET).verify(delivery!.body, headers)).toMatchObject({
      type: "make.connection.revoked",
    });
    const tampered = delivery!.body.replace(userId, "someone-else");
    expect(() => new Webhook(SECRET).verify(tampered, headers)).toThrow(WebhookVerificationError);
  });
});

describe("the product's handler", () => {
  it("alone receives each event, once, when no webhook URL is configured", async () => {
    const handled: MakeConnectionEvent[] = [];
    vi.doMock("@/lib/connection-events", () => ({
      onMakeConnectionEvent: async (event: MakeConnectionEvent) => void handled.push(event),
    }));
    try {
      const quiet = await backends.load({
        env: { MAKE_EVENTS_WEBHOOK_URL: "", MAKE_EVENTS_WEBHOOK_SECRET: "" },
      });
      const quietOutbox = await import("@/lib/make/connection/outbox");
      const quietBackground = await import("@/lib/background-work");
      const tokens = await signInTokens(await discover(backends.standIn), {
        client: "confidential",
        login: "ada",
        nonce: "n",
      });
      const userId = await storeConnectedAccount(quiet.db, tokens, nowSeconds() + 300);
      await quiet.revoke.revokeMakeConnection(userId);
      await quietBackground.settleBackgroundWork();
      expect(await quietOutbox.deliverMakeEvents()).toMatchObject({ remaining: 0 });

      expect(handled.map((event) => [event.type, event.data])).toEqual([
        ["make.connection.revoked", { userId, sub: "1001", state: "revoked", reason: null }],
      ]);
      expect(receiver.deliveries).toEqual([]);
    } finally {
      vi.doUnmock("@/lib/connection-events");
    }
  });
});

describe("abandoned connections lapse", () => {
  it("revokes and deletes the tokens of a connection unused for MAKE_LAPSE_AFTER_DAYS, and stops renewing it", async () => {
    const { userId, tokens } = await connect({ idleDays: 91 });
    // Bea connected 91 days ago too, but used her session last week: hers stays.
    const bea = await app.db.user.create({ data: { name: "bea" } });
    await app.db.account.create({
      data: {
        userId: bea.id,
        type: "oidc",
        provider: "make",
        providerAccountId: "1002",
        lastRefreshedAt: new Date(),
      },
    });
    await app.db.session.create({
      data: { sessionToken: "bea", userId: bea.id, expires: new Date(Date.now() + 23 * DAY_MS) },
    });
    await app.db.$executeRaw`
      UPDATE "Session" SET "createdAt" = (now() AT TIME ZONE 'UTC') - interval '91 days'
    `;
    await app.db.$executeRaw`
      UPDATE "Account" SET "connectedAt" = (now() AT TIME ZONE 'UTC') - interval '91 days' WHERE "userId" = ${bea.id}`;

    expect(await lapse.lapseAbandonedConnections(30 * 86_400)).toEqual({ lapsed: 1 });

    expect(await account(userId)).toMatchObject({ state: "lapsed", access_token: null, refresh_token: null });
    expect((await account(bea.id)).state).toBe("active");
    expect(await app.revoke.deliverPendingRevocations()).toMatchObject({ delivered: 2, remaining: 0 });
    expect(await grantIsLive(backends.standIn, tokens.refresh_token!)).toBe(false);
    // The cron's renewal passes it by; the user who comes back is offered Connect, in words.
    const before = refreshGrants();
    await app.maintenance.renewIdleConnections();
    expect(refreshGrants()).toBe(before);
    const { connectionStatus } = await import("@/lib/make/connection/status");
    const { status, events } = await connectionStatus(userId);
    const panel = renderToStaticMarkup(createElement(ConnectionPanel, { status, grantedScopes: [] }));
    expect(panel).toContain('data-connection-state="lapsed"');
    expect(panel).toContain("Nobody used this connection for a long time");
    expect(events.map((event) => event.kind)).toContain("lapsed");
    await settle();
    expect(receiver.events.filter((e) => e.data.userId === userId).map((e) => e.type)).toEqual([
      "make.connection.lapsed",
    ]);
  });

  it("leaves a connection signed in within MAKE_LAPSE_AFTER_DAYS alone", async () => {
    const { userId } = await connect({ idleDays: 89 });
    expect(await lapse.lapseAbandonedConnections(30 * 86_400)).toEqual({ lapsed: 0 });
    expect((await account(userId)).state).toBe("active");
  });
});

describe("account deletion leaves no grant behind", () => {
  const deleteUser = (userId: string, hold?: Promise<void>) =>
    forget.forgetMakeUser(userId, async (tx) => {
      await hold;
      await tx.user.delete({ where: { id: userId } });
    });

  it("a Reconnect landing during the deletion writes nothing and its new grant is revoked", async () => {
    const { userId } = await connect();
    const fresh = await signInTokens(await discover(backends.standIn), {
      client: "confidential",
      login: "ada",
      nonce: "n",
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const deletion = deleteUser(userId, held); // the Make row is locked until the deletion commits
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signIn = connection.reconnected(
      {
        provider: "make",
        providerAccountId: "1001",
        type: "oidc",
        access_token: fresh.access_token,
        refresh_token: fresh.refresh_token,
      },
      userId,
      forget.discardSignInOfForgottenUser,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await Promise.all([deletion, signIn]);
    await background.settleBackgroundWork();
    await app.revoke.deliverPendingRevocations();

    expect(await app.db.account.count()).toBe(0);
    expect(await app.db.pendingRevocation.count()).toBe(0);
    expect(await grantIsLive(backends.standIn, fresh.refresh_token!)).toBe(false);
  });

  it("a sign-in that commits while the deletion reads the row still has its new grant revoked", async () => {
    const { userId } = await connect();
    const fresh = await signInTokens(await discover(backends.standIn), {
      client: "confidential",
      login: "ada",
      nonce: "n",
    });
    let deletion!: Promise<void>;
    // The sign-in holds the row while the deletion starts, then stores its new tokens and commits.
    await app.db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Account" WHERE "userId" = ${userId} FOR UPDATE`;
      deletion = deleteUser(userId);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.account.updateMany({
        where: { id: row!.id },
        data: {
          access_token: fresh.access_token,
          refresh_token: fresh.refresh_token,
          tokenVersion: { increment: 1 },
        },
      });
    });
    await deletion;
    await background.settleBackgroundWork();
    await app.revoke.deliverPendingRevocations();

    expect(await app.db.account.count()).toBe(0);
    expect(await grantIsLive(backends.standIn, fresh.refresh_token!)).toBe(false);
  });

  it("a renewal finishing after the deletion queues its tokens under nobody's name", async () => {
    const { userId } = await connect();
    await app.db.account.updateMany({ where: { userId }, data: { expires_at: nowSeconds() - 10 } });
    backends.standIn.controls.configure({ refreshLatencyMs: 800 });
    const renewal = app.tokens.getMakeAccessToken(userId).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Make does not confirm revocations now, so the grant the renewal is using stays alive.
    backends.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    await deleteUser(userId);
    await renewal;
    await background.settleBackgroundWork();

    expect(await app.db.account.count()).toBe(0);
    const queued = await app.db.pendingRevocation.findMany();
    // The deleted row's two tokens, and the two Make issued to the renewal.
    expect(queued.map((row) => [row.tokenTypeHint, row.userId]).sort()).toEqual([
      ["access_token", null],
      ["access_token", null],
      ["refresh_token", null],
      ["refresh_token", null],
    ]);
  });

  it("a server without the tokens' key refuses (nothing deleted), and one holding it deletes", async () => {
    const oldKey = randomBytes(32).toString("base64");
    const newKey = randomBytes(32).toString("base64");
    const rolledOut = await backends.load({ env: { TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}` } });
    const rolledOutForget = await import("@/lib/make/connection/forget");
    await backends.load({ env: { TOKEN_ENCRYPTION_KEY: oldKey } }); // the server rolled back
    const rolledBackForget = await import("@/lib/make/connection/forget");
    const tokens = await signInTokens(await discover(backends.standIn), {
      client: "confidential",
      login: "ada",
      nonce: "n",
    });
    const userId = await storeConnectedAccount(rolledOut.db, tokens, nowSeconds() + 300);

    const refused = rolledBackForget.forgetMakeUser(userId);
    await expect(refused).rejects.toMatchObject({ name: "MakeConnectionError", reason: "key_unavailable" });
    expect(await app.db.account.count({ where: { userId } })).toBe(1);

    await rolledOutForget.forgetMakeUser(
      userId,
      async (tx) => void (await tx.user.delete({ where: { id: userId } })),
    );
    expect(await app.db.account.count({ where: { userId } })).toBe(0);
    await rolledOut.revoke.deliverPendingRevocations();
    expect(await grantIsLive(backends.standIn, tokens.refresh_token!)).toBe(false);
  });
});
