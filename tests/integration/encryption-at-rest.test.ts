import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { discover, signInTokens } from "../support/make-code-flow";
import { loadAppModules, type AppModules } from "../support/app-modules";
import { postgresTool } from "../support/postgres";

const KEY_OLD = "old-token-key-".padEnd(40, "o");
const KEY_NEW = "new-token-key-".padEnd(40, "n");

let app: AppModules;
let userId: string;
const clearTokens: string[] = [];

const pgDump = () => {
  return execFileSync(postgresTool("pg_dump"), ["--data-only", "--no-owner", app.databaseUrl], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
};

/** Re-imports the app modules against the same database and stand-in with another TOKEN_ENCRYPTION_KEY. */
async function withKeys(keys: string) {
  vi.resetModules();
  delete (globalThis as { prisma?: unknown }).prisma;
  vi.stubEnv("TOKEN_ENCRYPTION_KEY", keys);
  const { db } = await import("@/lib/db");
  return {
    db,
    rotate: await import("@/lib/tokens/rotate-key"),
    crypto: await import("@/lib/tokens/crypto"),
    status: await import("@/lib/connection/status"),
    tokens: await import("@/lib/tokens/access-token"),
    unreadable: await import("@/lib/tokens/unreadable-tokens"),
    revoke: await import("@/lib/tokens/revoke"),
  };
}

/** Every token column in the database, as stored. */
async function storedCiphertexts(db: AppModules["db"]): Promise<string[]> {
  const rows = await db.$queryRaw<{ value: string }[]>`
    SELECT unnest(ARRAY[access_token, refresh_token, id_token]) AS value FROM "Account"
    UNION ALL SELECT token FROM "PendingRevocation"`;
  return rows.map((row) => row.value).filter(Boolean);
}

beforeAll(async () => {
  app = await loadAppModules({ env: { TOKEN_ENCRYPTION_KEY: KEY_OLD } });
  const tokens = await signInTokens(await discover(app.standIn), { client: "confidential", nonce: "n" });
  const user = await app.db.user.create({ data: { name: "Ada" } });
  userId = user.id;
  await app.db.account.create({
    data: {
      userId,
      type: "oidc",
      provider: "make",
      providerAccountId: "1001",
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      id_token: tokens.id_token,
      expires_at: Math.floor(Date.now() / 1000) - 1,
    },
  });
  clearTokens.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!);
  const refreshed = await app.tokens.getMakeAccessToken(userId);
  const account = await app.db.account.findFirstOrThrow({ where: { userId } });
  clearTokens.push(refreshed.accessToken, account.refresh_token!);
});
afterAll(async () => {
  await app?.close();
});

describe("tokens at rest", () => {
  it("leaves no token in clear in a database dump after sign-in and refresh", () => {
    const dump = pgDump();
    expect(dump).toContain("enc:v1:");
    for (const token of clearTokens) expect(dump).not.toContain(token);
  });

  it("still reads tokens written under an old key after the key is rotated, and re-encrypts them", async () => {
    const before = await app.db.account.findFirstOrThrow({ where: { userId } });
    const rotated = await withKeys(`${KEY_NEW},${KEY_OLD}`);
    const readable = await rotated.db.account.findFirstOrThrow({ where: { userId } });
    expect(readable.access_token).toBe(before.access_token);
    expect(await rotated.rotate.reencryptAllTokens()).toMatchObject({
      accounts: 1,
      pendingRevocations: 0,
      remaining: 0,
    });
    await rotated.db.$disconnect();

    const onlyNew = await withKeys(KEY_NEW);
    const after = await onlyNew.db.account.findFirstOrThrow({ where: { userId } });
    expect(after.refresh_token).toBe(before.refresh_token);
    await onlyNew.db.$disconnect();
  });

  it("re-encrypts every row even when a refresh rewrites one under the old key between the read and the write", async () => {
    const second = await app.db.user.create({ data: { name: "Grace" } });
    await app.db.account.create({
      data: {
        userId: second.id,
        type: "oidc",
        provider: "make",
        providerAccountId: "1002",
        access_token: "at-2",
        refresh_token: "rt-2",
      },
    });
    await app.db.pendingRevocation.create({
      data: { userId: second.id, token: "rt-old", tokenTypeHint: "refresh_token" },
    });
    const rotated = await withKeys(`${KEY_NEW},${KEY_OLD}`);
    const [newKey] = rotated.crypto.tokenKeys();
    let refreshes = 0;
    const report = await rotated.rotate.reencryptAllTokens({
      // A server still running with the old key refreshes Ada's tokens after rotate-key read the rows.
      afterRead: async () => {
        if (refreshes++ > 0) return;
        await app.db.account.updateMany({
          where: { userId },
          data: {
            access_token: "at-refreshed",
            refresh_token: "rt-refreshed",
            tokenVersion: { increment: 1 },
          },
        });
      },
    });
    expect(report).toMatchObject({ remaining: 0, pendingRevocations: 1, unreadableAccounts: 0 });
    expect(report.passes).toBeGreaterThanOrEqual(2);
    const stored = await storedCiphertexts(rotated.db);
    expect(stored.length).toBeGreaterThanOrEqual(6);
    expect(stored.filter((value) => !value.startsWith(`enc:v1:${newKey!.id}:`))).toEqual([]);
    const refreshed = await rotated.db.account.findFirstOrThrow({ where: { userId } });
    expect([refreshed.access_token, refreshed.refresh_token]).toEqual(["at-refreshed", "rt-refreshed"]);
    await rotated.db.$disconnect();
  });

  it("reads tokens whose key is no longer configured as absent and asks the user to reconnect, with a reason", async () => {
    const wrong = await withKeys("unrelated-key-".padEnd(40, "u"));
    const account = await wrong.db.account.findFirstOrThrow({ where: { userId } });
    expect([account.access_token, account.refresh_token]).toEqual([null, null]);
    const status = await wrong.status.connectionStatus(userId);
    expect(status).toMatchObject({
      state: "reauth_required",
      lastError: "token_unreadable",
      hasRefreshToken: false,
    });
    const events = await wrong.db.connectionEvent.findMany({ where: { userId, kind: "reauth_required" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ errorCode: "token_unreadable" });
    expect(events[0]?.detail).toMatch(/AUTH_SECRET or TOKEN_ENCRYPTION_KEY/);
    await expect(wrong.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({
      reason: "reauth_required",
    });
    await wrong.db.$disconnect();
  });

  it("drops a queued revocation whose token no configured key opens, instead of retrying it forever", async () => {
    await app.db.pendingRevocation.create({
      data: { userId, token: "queued-token", tokenTypeHint: "access_token" },
    });
    const wrong = await withKeys("another-unrelated-key-".padEnd(40, "x"));
    expect(await wrong.revoke.deliverPendingRevocations({ userId })).toBe(true);
    expect(await wrong.db.pendingRevocation.count({ where: { userId } })).toBe(0);
    expect(app.standIn.controls.stats().revocations).toEqual([]);
    const event = await wrong.db.connectionEvent.findFirst({ where: { userId, kind: "revocation_failed" } });
    expect(event).toMatchObject({ outcome: "error", errorCode: "token_unreadable" });
    await wrong.db.$disconnect();
  });
});
