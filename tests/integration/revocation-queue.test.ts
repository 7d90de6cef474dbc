/**
 * The revocation queue (lib/make/connection/revoke.ts) against the local stand-in: one run drains a backlog a few
 * requests at a time until the queue is empty or its time budget is spent, Make's 200, 204 and (for an
 * access token) `unsupported_token_type` all count as done, and a token Make keeps refusing is retried
 * with backoff a bounded number of times, then given up and recorded in the activity.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadAppModules, type AppModules } from "../support/app-modules";
import { testTuning } from "../support/test-tuning";

let app: AppModules;
let userId: string;

const REVOCATION_LATENCY_MS = 100;

beforeAll(async () => {
  app = await loadAppModules({ env: testTuning({ TOKEN_TIMEOUT_MS: 1000 }) });
});
afterAll(() => app?.close());
beforeEach(async () => {
  app.standIn.controls.reset();
  await app.db.pendingRevocation.deleteMany();
  await app.db.user.deleteMany();
  userId = (await app.db.user.create({ data: { name: "ada" } })).id;
});

/** Queues `count` pairs (access token, refresh token), due now. */
async function queue(count: number) {
  await app.db.pendingRevocation.createMany({
    data: Array.from({ length: count }, (_, index) => [
      { userId, token: `access-${index}`, tokenTypeHint: "access_token" },
      { userId, token: `refresh-${index}`, tokenTypeHint: "refresh_token" },
    ]).flat(),
  });
}
const pending = () => app.db.pendingRevocation.findMany({ orderBy: { tokenTypeHint: "asc" } });
const events = (kind: string) =>
  app.db.connectionEvent.findMany({ where: { userId, kind }, orderBy: { createdAt: "asc" } });

describe("revocation queue", () => {
  it("drains a backlog of 120 revocations in one run", async () => {
    await queue(60);
    const run = await app.revoke.deliverPendingRevocations({}, 60_000);
    expect(run).toEqual({ delivered: 120, retrying: 0, givenUp: 0, remaining: 0 });
    expect(app.standIn.controls.stats().revocations).toHaveLength(120);
  });

  it("sends 4 revocations at a time, never more", async () => {
    await queue(20);
    app.standIn.controls.configure({ revocationLatencyMs: REVOCATION_LATENCY_MS });
    expect(await app.revoke.deliverPendingRevocations({}, 60_000)).toMatchObject({ remaining: 0 });
    expect(app.standIn.controls.stats().revocationsInFlightPeak).toBe(4);
  });

  it("stops when its time budget is spent and reports what remains", async () => {
    await queue(60);
    app.standIn.controls.configure({ revocationLatencyMs: REVOCATION_LATENCY_MS });
    const started = Date.now();
    const run = await app.revoke.deliverPendingRevocations({}, 2_500);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(run.delivered).toBeGreaterThan(0);
    expect(run.remaining).toBe(120 - run.delivered);
    expect(await app.db.pendingRevocation.count()).toBe(run.remaining);
    const rest = await app.revoke.deliverPendingRevocations({}, 60_000);
    expect(rest).toMatchObject({ delivered: run.remaining, remaining: 0 });
  });

  it("counts Make's 204 as done", async () => {
    await queue(1);
    app.standIn.controls.configure({ revocationAnswer: "204" });
    expect(await app.revoke.deliverPendingRevocations({ userId })).toMatchObject({
      delivered: 2,
      remaining: 0,
    });
    expect(await events("revocation_confirmed")).toHaveLength(2);
  });

  it("counts unsupported_token_type for an access token as done, and not for a refresh token", async () => {
    await queue(1);
    app.standIn.controls.configure({ revocationAnswer: "unsupported_token_type" });
    expect(await app.revoke.deliverPendingRevocations({ userId })).toMatchObject({
      delivered: 2,
      remaining: 0,
    });
    expect(app.standIn.controls.stats().revocations.map((entry) => entry.tokenTypeHint)).toEqual([
      "access_token",
      "refresh_token",
    ]);
  });

  it("retries a refused revocation with growing backoff, then gives up and records it", async () => {
    await queue(1);
    app.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    const delays: number[] = [];
    let givenUp = 0;
    for (let attempt = 1; attempt <= 20 && givenUp === 0; attempt++) {
      const before = Date.now();
      const run = await app.revoke.deliverPendingRevocations({ userId });
      givenUp = run.givenUp;
      const rows = await pending();
      if (rows.length > 0) {
        delays.push(rows[0]!.nextAttemptAt.getTime() - before);
        expect(rows.map((row) => row.lastError)).toEqual(["http_503", "http_503"].slice(0, rows.length));
      }
      await app.db.pendingRevocation.updateMany({ data: { nextAttemptAt: new Date(Date.now() - 1) } });
    }
    expect(givenUp).toBe(2);
    expect(await pending()).toEqual([]);
    // Ten attempts in all: nine retries, each waiting longer than the one before (capped at an hour).
    expect(delays).toHaveLength(9);
    for (let index = 1; index < delays.length; index++)
      expect(delays[index]!).toBeGreaterThanOrEqual(Math.min(delays[index - 1]! * 1.9, 3_600_000 - 1_000));
    const failed = await events("revocation_failed");
    expect(failed.map((event) => [event.outcome, event.errorCode])).toEqual([
      ["error", expect.stringMatching(/^http_503|server_error|RESPONSE_IS_NOT_CONFORM/)],
      ["error", expect.stringMatching(/^http_503|server_error|RESPONSE_IS_NOT_CONFORM/)],
    ]);
    expect(failed.map((event) => event.detail).sort()).toEqual([
      "access_token not revoked at Make after 10 attempts; it stays valid until it expires",
      "refresh_token not revoked at Make after 10 attempts; it stays valid until it expires",
    ]);
  });
});
