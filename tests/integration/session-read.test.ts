/**
 * The session read of every protected request (lib/auth/session-read.ts) is one hand-written SQL
 * statement, not Prisma. These tests hold it to Prisma's own answer for the same rows, so a column added
 * to the schema, a date read in the wrong zone or a token left encrypted shows up here.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadAppModules, type AppModules } from "../support/app-modules";

// What lib/auth/session.ts reads from the request: the browser's cookies (set per test below).
const requestCookies = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (requestCookies.has(name) ? { value: requestCookies.get(name) } : undefined),
  }),
  headers: async () => new Headers(),
}));

let app: AppModules;
let session: typeof import("@/lib/auth/session-read");
let RECENT_EVENTS: number;

const zone = process.env.TZ;
beforeAll(async () => {
  // Away from UTC, so a timestamp read as local time cannot pass for the right one.
  process.env.TZ = "America/New_York";
  app = await loadAppModules();
  session = await import("@/lib/auth/session-read");
  ({ RECENT_EVENTS } = await import("@/lib/make/connection/events"));
});
afterAll(async () => {
  await app?.close();
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

/** What Prisma reads for the same session: the reference the raw read must equal. */
async function prismaRead(sessionToken: string) {
  const row = await app.db.session.findUnique({
    where: { sessionToken },
    select: {
      expires: true,
      createdAt: true,
      user: {
        select: {
          id: true,
          name: true,
          email: true,
          image: true,
          accounts: { where: { provider: "make" }, take: 1 },
          events: { orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: RECENT_EVENTS },
        },
      },
    },
  });
  if (!row) return null;
  const { accounts, events, ...user } = row.user;
  const pendingRevocations = await app.db.pendingRevocation.count({ where: { userId: user.id } });
  const { expires, createdAt } = row;
  return { expires, createdAt, user, account: accounts[0] ?? null, events, pendingRevocations };
}

async function userWithSession(sessionToken: string, name: string | null) {
  const user = await app.db.user.create({
    data: { name, email: name && `${name.toLowerCase()}@example.com` },
  });
  await app.db.session.create({
    data: { sessionToken, userId: user.id, expires: new Date("2031-02-03T04:05:06.789Z") },
  });
  return user;
}

describe("the session read", () => {
  it("equals Prisma's read of a connected user: every account column, tokens decrypted, dates in UTC", async () => {
    const user = await userWithSession("key-connected", "Ada");
    await app.db.account.create({
      data: {
        userId: user.id,
        type: "oidc",
        provider: "make",
        providerAccountId: "1001",
        access_token: "access-token-value",
        refresh_token: "refresh-token-value",
        id_token: "id-token-value",
        expires_at: 2_000_000_000,
        scope: "openid profile",
        issuer: "https://www.make.com",
        clientType: "confidential",
      },
    });
    const base = Date.parse("2026-01-01T00:00:00.000Z");
    for (let i = 0; i < RECENT_EVENTS + 3; i++) {
      // Two events share each timestamp: the order must still be the same as Prisma's.
      const createdAt = new Date(base + Math.floor(i / 2) * 1_000);
      await app.db.connectionEvent.create({
        data: { userId: user.id, kind: "refreshed", outcome: "ok", createdAt },
      });
    }

    const read = await session.readSession("key-connected");
    expect(read).toEqual(await prismaRead("key-connected"));
    expect(read?.account?.access_token).toBe("access-token-value");
    expect(read?.events).toHaveLength(RECENT_EVENTS);
    expect(read?.expires.toISOString()).toBe("2031-02-03T04:05:06.789Z");
  });

  it("equals Prisma's read once every optional column of the account is set", async () => {
    const at = (iso: string) => new Date(iso);
    await app.db.account.updateMany({
      where: { providerAccountId: "1001" },
      data: {
        state: "reauth_required",
        token_type: "bearer",
        session_state: "s",
        lastRefreshedAt: at("2026-03-04T05:06:07.008Z"),
        lastError: "http_503",
        lastErrorAt: at("2026-03-04T05:06:08.009Z"),
        nextRetryAt: at("2026-03-04T05:06:09.010Z"),
        refreshFailures: 2,
        refreshLeaseId: "lease",
        refreshLeaseUntil: at("2026-03-04T05:06:10.011Z"),
        tokenVersion: 7,
      },
    });
    const read = await session.readSession("key-connected");
    expect(read).toEqual(await prismaRead("key-connected"));
    expect(read?.account?.lastErrorAt?.toISOString()).toBe("2026-03-04T05:06:08.009Z");
  });

  it("reads a user without a Make account or activity, and with no name or email", async () => {
    await userWithSession("key-bare", null);
    const read = await session.readSession("key-bare");
    expect(read).toEqual(await prismaRead("key-bare"));
    expect(read).toMatchObject({ account: null, events: [], user: { name: null, email: null } });
  });

  it("reads a token it cannot decrypt as absent and says which, instead of failing the whole read", async () => {
    const user = await userWithSession("key-unreadable", "Grace");
    await app.db.account.create({
      data: {
        userId: user.id,
        type: "oidc",
        provider: "make",
        providerAccountId: "1002",
        access_token: "a",
        refresh_token: "r",
      },
    });
    const stored = await app.db.$queryRaw<
      { access_token: string }[]
    >`SELECT access_token FROM "Account" WHERE "userId" = ${user.id}`;
    // Under a key this server does not have (as after AUTH_SECRET changed).
    const tampered = stored[0]!.access_token.replace(/^enc:v2:[^:]+:/, "enc:v2:oldkey00:");
    await app.db.$executeRaw`UPDATE "Account" SET access_token = ${tampered} WHERE "userId" = ${user.id}`;
    const read = await session.readSession("key-unreadable");
    expect(read?.account).toMatchObject({ access_token: null, refresh_token: "r" });
    const { unreadableColumns } = await import("@/lib/db/encrypted-columns");
    expect(unreadableColumns(read?.account)).toEqual({
      access_token: { stored: tampered, reason: "unknown_key" },
    });
  });

  it("finds nothing for an unknown session key, including one shaped like SQL", async () => {
    expect(await session.readSession("no-such-key")).toBeNull();
    expect(await session.readSession(`' OR '1'='1`)).toBeNull();
  });
});

describe("the signed-in user handed to pages", () => {
  it("carries the Make connection's status, never a token", async () => {
    const { hashSessionToken } = await import("@/lib/auth/hashed-sessions");
    const user = await userWithSession(hashSessionToken("cookie-of-lin"), "Lin");
    await app.db.account.create({
      data: {
        userId: user.id,
        type: "oidc",
        provider: "make",
        providerAccountId: "1004",
        access_token: "ada-access-token",
        refresh_token: "ada-refresh-token",
        id_token: "ada-id-token",
        expires_at: 2_000_000_000,
      },
    });
    requestCookies.set("__Secure-authjs.session-token", "cookie-of-lin");
    const { currentUser } = await import("@/lib/auth/session");
    const { connectionStatus } = await import("@/lib/make/connection/status");
    const signedIn = await currentUser();
    expect(signedIn).toMatchObject({ id: user.id, name: "Lin" });
    const view = await connectionStatus(user.id);
    expect(view.status).toMatchObject({ state: "active", sub: "1004", hasRefreshToken: true });
    const handedOut = JSON.stringify([signedIn, view]);
    for (const secret of ["ada-access-token", "ada-refresh-token", "ada-id-token", "enc:v"]) {
      expect(handedOut).not.toContain(secret);
    }
  });
});
