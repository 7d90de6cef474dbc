/**
 * The two layers that make "one refresh per expiry" true, each tested on its own, and the refresh surviving
 * a database that drops out just after Make answered. Separate copies of the token modules stand for
 * separate server processes: they share only the database and the Make stand-in.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { discover, signInTokens } from "../support/make-code-flow";
import { storeConnectedAccount } from "../support/connected-account";
import { startSharedBackends, type SharedBackends, type TokenModules } from "../support/token-module-copies";
import { testTuning } from "../support/test-tuning";

let backends: SharedBackends;
let direct: TokenModules;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const stats = () => backends.standIn.controls.stats();
const grants = async () => (await stats()).grants.refresh_token;

/** A user with real tokens from the stand-in whose access token expired a moment ago. */
async function connectExpired(): Promise<{ userId: string; accessToken: string }> {
  const tokens = await signInTokens(await discover(backends.standIn), {
    client: "confidential",
    login: "ada",
    nonce: "n",
  });
  const userId = await storeConnectedAccount(direct.db, tokens, nowSeconds() - 10);
  return { userId, accessToken: tokens.access_token };
}

const storedAccount = (userId: string) => direct.db.account.findFirstOrThrow({ where: { userId } });

beforeAll(async () => {
  backends = await startSharedBackends();
  direct = await backends.load();
});
afterAll(async () => {
  await backends?.close();
});
beforeEach(async () => {
  backends.standIn.controls.reset();
  await backends.proxy.restore();
  await direct.db.user.deleteMany();
  await direct.db.pendingRevocation.deleteMany();
});

const tokensOf = (results: PromiseSettledResult<{ accessToken: string }>[]) =>
  new Set(
    results.map((result) =>
      result.status === "fulfilled" ? result.value.accessToken : `rejected: ${result.reason}`,
    ),
  );

describe("the refresh lease across processes", () => {
  it("lets exactly one of three server processes refresh an expired token; the others get its token", async () => {
    const copies = [await backends.load(), await backends.load(), await backends.load()];
    const { userId, accessToken } = await connectExpired();
    // Make answers slowly, so all three processes reach the refresh while the first is still waiting.
    backends.standIn.controls.configure({ tokenLatencyMs: 500 });

    const results = await Promise.allSettled(
      copies.flatMap((copy) => Array.from({ length: 10 }, () => copy.tokens.getMakeAccessToken(userId))),
    );

    const handedOut = tokensOf(results);
    expect(handedOut.size).toBe(1);
    expect([...handedOut][0]).not.toBe(accessToken);
    expect(await grants()).toBe(1);
    expect(await storedAccount(userId)).toMatchObject({ state: "active", access_token: [...handedOut][0] });
  });
});

describe("the refresh inside one process", () => {
  it("makes one grant for 50 concurrent callers even when the lease would let every caller in", async () => {
    // A lease that every caller obtains: only the in-process single flight stands between 50 callers and Make.
    vi.doMock("@/lib/db", async (importOriginal) => {
      const real = await importOriginal<typeof import("@/lib/db")>();
      // The lease claim without its "nobody holds an unexpired lease" condition (its last SQL fragment).
      const claimAnyway = (strings: TemplateStringsArray, ...values: unknown[]) => {
        const sql = strings.join("");
        if (!sql.includes('SET "refreshLeaseId"')) return real.db.$executeRaw(strings, ...values);
        const open = Object.assign([...strings.slice(0, -1), ""], { raw: [...strings.raw.slice(0, -1), ""] });
        return real.db.$executeRaw(open, ...values);
      };
      const db = new Proxy(real.db, {
        get: (target, property, receiver) =>
          property === "$executeRaw" ? claimAnyway : Reflect.get(target, property, receiver),
      });
      return { ...real, db };
    });
    let copy: TokenModules;
    try {
      copy = await backends.load();
    } finally {
      vi.doUnmock("@/lib/db");
    }
    const { userId } = await connectExpired();
    backends.standIn.controls.configure({ tokenLatencyMs: 300 });

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => copy.tokens.getMakeAccessToken(userId)),
    );

    expect(tokensOf(results).size).toBe(1);
    expect(await grants()).toBe(1);
    expect((await storedAccount(userId)).state).toBe("active");
  });
});

describe("a database that drops out during a refresh", () => {
  it("keeps the rotated tokens when the database is cut right after Make answered, and writes them once it is back", async () => {
    const app = await backends.load({ throughProxy: true, env: testTuning({ TOKEN_TIMEOUT_MS: 6000 }) });
    const { userId, accessToken } = await connectExpired();
    backends.standIn.controls.configure({ tokenLatencyMs: 800 });

    const renewal = app.tokens.getMakeAccessToken(userId);
    // The refresh request has reached Make (which answers 800 ms later): take the database away now.
    await expect.poll(grants, { interval: 5, timeout: 10_000 }).toBe(1);
    await backends.proxy.cut();
    await expect
      .poll(async () => (await stats()).refreshSucceeded, { interval: 20, timeout: 10_000 })
      .toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await backends.proxy.restore();

    const token = await renewal;
    expect(token.accessToken).not.toBe(accessToken);
    expect(await storedAccount(userId)).toMatchObject({
      state: "active",
      access_token: token.accessToken,
      lastError: null,
    });
    expect((await app.tokens.getMakeAccessToken(userId)).accessToken).toBe(token.accessToken);
    expect(await grants()).toBe(1);
  });
});

describe("a database that stays down past the write budget", () => {
  it("keeps offering the renewed tokens while the lease lasts, registered; then at the next offer", async () => {
    // T = 1 s: the lease is 3 s of request + 15 s of writing + 10 s of safety.
    const app = await backends.load({ throughProxy: true, env: testTuning({ TOKEN_TIMEOUT_MS: 1000 }) });
    const { userId, accessToken } = await connectExpired();
    backends.standIn.controls.configure({ tokenLatencyMs: 300 });

    const claimedBy = performance.now();
    const caller = app.tokens.getMakeAccessToken(userId).catch((error: Error) => error);
    await expect.poll(grants, { interval: 5, timeout: 5_000 }).toBe(1);
    await backends.proxy.cut();
    expect(await caller).toMatchObject({ reason: "make_unavailable" });

    // The write budget runs out, then the registered offers go on until the lease ends, not after it.
    await app.background.settleBackgroundWork();
    expect(performance.now() - claimedBy).toBeGreaterThan(app.tokens.leaseMs() - 4_000);
    expect(performance.now() - claimedBy).toBeLessThan(app.tokens.leaseMs());
    // The process still holds the tokens and hands them out without the database.
    const kept = await app.tokens.getMakeAccessToken(userId);
    expect(kept.accessToken).not.toBe(accessToken);
    // The database comes back: the next offer (a hand-out, a long-running server's sweep) writes them.
    await backends.proxy.restore();
    await app.background.settleBackgroundWork();
    await app.tokens.offerKeptTokens();
    expect(await storedAccount(userId)).toMatchObject({ state: "active", access_token: kept.accessToken });
    expect(await grants()).toBe(1);
  }, 60_000);
});

describe("revoking while a refresh is in flight", () => {
  it("revokes the tokens Make issued to a refresh that finished after the user revoked", async () => {
    const app = await backends.load({ throughProxy: true, env: testTuning({ TOKEN_TIMEOUT_MS: 6000 }) });
    const { userId } = await connectExpired();
    backends.standIn.controls.configure({ tokenLatencyMs: 800 });

    const renewal = app.tokens.getMakeAccessToken(userId);
    // Make has rotated the tokens; before this server can store them, the user revokes from another one.
    await expect.poll(grants, { interval: 5, timeout: 10_000 }).toBe(1);
    await backends.proxy.cut();
    await expect
      .poll(async () => (await stats()).refreshSucceeded, { interval: 20, timeout: 10_000 })
      .toBe(1);
    expect(await direct.revoke.revokeMakeConnection(userId)).toEqual({ confirmed: true });
    await backends.proxy.restore();

    await expect(renewal).rejects.toMatchObject({ reason: "revoked" });
    // The revoke's own two, then the pair the late refresh received.
    await expect
      .poll(async () => (await stats()).revocations.map((entry) => entry.tokenTypeHint))
      .toEqual(["access_token", "refresh_token", "access_token", "refresh_token"]);
    await expect.poll(() => direct.db.pendingRevocation.count()).toBe(0);
    expect(await storedAccount(userId)).toMatchObject({
      state: "revoked",
      access_token: null,
      refresh_token: null,
    });
  });
});

describe("revocation deliveries", () => {
  it("delivers a queued revocation exactly once when two processes deliver at the same time", async () => {
    const [first, second] = [await backends.load(), await backends.load()];
    const { userId } = await connectExpired();
    backends.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });
    expect(await first!.revoke.revokeMakeConnection(userId)).toEqual({ confirmed: false });
    backends.standIn.controls.reset();
    await direct.db.pendingRevocation.updateMany({ data: { nextAttemptAt: new Date(Date.now() - 1_000) } });

    await Promise.all([
      first!.revoke.deliverPendingRevocations(),
      second!.revoke.deliverPendingRevocations(),
      first!.revoke.deliverPendingRevocations({ userId }),
      second!.revoke.deliverPendingRevocations({ userId }),
    ]);

    const delivered = (await stats()).revocations;
    expect(delivered.map((entry) => entry.tokenTypeHint).sort()).toEqual(["access_token", "refresh_token"]);
    expect(await direct.db.pendingRevocation.count()).toBe(0);
  });

  it("reports Revoke as done once the tokens are deleted here, even if the database drops out afterwards", async () => {
    const app = await backends.load({ throughProxy: true, env: testTuning({ TOKEN_TIMEOUT_MS: 1500 }) });
    const { userId } = await connectExpired();
    backends.standIn.controls.fail({ endpoint: "revocation", mode: "hang" });

    const revoking = app.revoke.revokeMakeConnection(userId);
    // The local cut is committed and Make is being asked: the database goes away before the outcome is noted.
    await expect
      .poll(async () => (await stats()).revocations.length, { interval: 5, timeout: 10_000 })
      .toBe(1);
    await backends.proxy.cut();

    await expect(revoking).resolves.toEqual({ confirmed: false });
    await backends.proxy.restore();
    expect(await storedAccount(userId)).toMatchObject({
      state: "revoked",
      access_token: null,
      refresh_token: null,
    });
    expect(await direct.db.pendingRevocation.count({ where: { userId } })).toBe(2);
  });
});

describe("a revoke racing a refresh", () => {
  it("queues the refresh token a refresh wrote between the revoke's read and its cut", async () => {
    const { userId } = await connectExpired();
    let raced = false;
    // Between the revoke's read of the tokens and its version-checked cut, a refresh elsewhere writes new ones.
    vi.doMock("@/lib/db", async (importOriginal) => {
      const real = await importOriginal<typeof import("@/lib/db")>();
      const findFirst = async (args: Parameters<typeof real.db.account.findFirst>[0]) => {
        const row = await real.db.account.findFirst(args);
        const select = (args?.select ?? {}) as Record<string, unknown>;
        if (!raced && row && select.tokenVersion && select.refresh_token) {
          raced = true;
          await direct.db.account.update({
            where: { id: row.id },
            data: {
              access_token: "at-written-meanwhile",
              refresh_token: "rt-written-meanwhile",
              tokenVersion: { increment: 1 },
            },
          });
        }
        return row;
      };
      const account = new Proxy(real.db.account, {
        get: (target, property, receiver) =>
          property === "findFirst" ? findFirst : Reflect.get(target, property, receiver),
      });
      const db = new Proxy(real.db, {
        get: (target, property, receiver) =>
          property === "account" ? account : Reflect.get(target, property, receiver),
      });
      return { ...real, db };
    });
    let copy: TokenModules;
    try {
      copy = await backends.load();
    } finally {
      vi.doUnmock("@/lib/db");
    }
    backends.standIn.controls.fail({ endpoint: "revocation", mode: "status", status: 503 });

    await copy.revoke.revokeMakeConnection(userId);

    expect(raced).toBe(true);
    const queued = await direct.db.pendingRevocation.findMany({ where: { userId } });
    expect(queued.map((entry) => entry.token).sort()).toEqual([
      "at-written-meanwhile",
      "rt-written-meanwhile",
    ]);
    expect(await storedAccount(userId)).toMatchObject({ state: "revoked", refresh_token: null });
  });
});
