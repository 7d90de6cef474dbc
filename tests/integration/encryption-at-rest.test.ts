import { execFileSync } from "node:child_process";
import { createCipheriv, randomBytes } from "node:crypto";
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
    rotate: await import("@/lib/make/ops/rotate-key"),
    crypto: await import("@/lib/db/token-encryption"),
    status: await import("@/lib/make/connection/status"),
    tokens: await import("@/lib/make/connection/refresh"),
    revoke: await import("@/lib/make/connection/revoke"),
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
  it("refuses a nested write that would reach a token column through a relation it does not follow", async () => {
    const write = app.db.session.create({
      data: {
        sessionToken: "nested-write",
        expires: new Date(Date.now() + 60_000),
        user: {
          create: {
            name: "Nested",
            accounts: {
              create: { type: "oidc", provider: "make", providerAccountId: "9", access_token: "clear" },
            },
          },
        },
      },
    });
    await expect(write).rejects.toThrow(/encrypted column written through a nested write/);
    expect(await app.db.user.count({ where: { name: "Nested" } })).toBe(0);
  });

  it("stores an unrelated model's `token` field as written (Auth.js email sign-in's VerificationToken)", async () => {
    const expires = new Date(Date.now() + 60_000);
    await app.db.verificationToken.create({
      data: { identifier: "ada@example.com", token: "magic-link", expires },
    });
    const [row] = await app.db.$queryRaw<{ token: string }[]>`
      SELECT token FROM "VerificationToken" WHERE identifier = 'ada@example.com'`;
    expect(row?.token).toBe("magic-link");
    const read = await app.db.verificationToken.findFirstOrThrow({ where: { token: "magic-link" } });
    expect(read.token).toBe("magic-link");
  });

  it("leaves no token in clear in a database dump after sign-in and refresh", () => {
    const dump = pgDump();
    expect(dump).toContain("enc:v2:");
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
    const ada = await app.db.account.findFirstOrThrow({ where: { userId }, select: { id: true } });
    let refreshes = 0;
    const report = await rotated.rotate.reencryptAllTokens({
      // A server still running with the old key refreshes Ada's tokens after rotate-key read the rows.
      afterRead: async () => {
        if (refreshes++ > 0) return;
        await app.db.account.updateMany({
          where: { id: ada.id },
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
    expect(stored.filter((value) => !value.startsWith(`enc:v2:${newKey!.id}:`))).toEqual([]);
    const refreshed = await rotated.db.account.findFirstOrThrow({ where: { userId } });
    expect([refreshed.access_token, refreshed.refresh_token]).toEqual(["at-refreshed", "rt-refreshed"]);
    await rotated.db.$disconnect();
  });

  it("leaves tokens under a key this server does not hold untouched, and reads them as temporarily unavailable", async () => {
    const before = await storedCiphertexts(app.db);
    const wrong = await withKeys("unrelated-key-".padEnd(40, "u"));
    const account = await wrong.db.account.findFirstOrThrow({ where: { userId } });
    expect([account.access_token, account.refresh_token]).toEqual([null, null]);
    const { status } = await wrong.status.connectionStatus(userId);
    expect(status).toMatchObject({ state: "active", keyUnavailable: true });
    await expect(wrong.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({
      reason: "key_unavailable",
    });
    expect(await storedCiphertexts(app.db)).toEqual(before);
    expect(await wrong.db.connectionEvent.count({ where: { userId, kind: "reauth_required" } })).toBe(0);
    await wrong.db.$disconnect();
  });

  it("asks the user to reconnect, with a reason, when a token fails authentication under a held key", async () => {
    const current = await withKeys(`${KEY_NEW},${KEY_OLD}`);
    const [row] = await app.db.$queryRaw<{ refresh_token: string }[]>`
      SELECT refresh_token FROM "Account" WHERE "userId" = ${userId}`;
    const altered = row!.refresh_token.slice(0, -4) + (row!.refresh_token.endsWith("AAAA") ? "BBBB" : "AAAA");
    await app.db.$executeRaw`UPDATE "Account" SET refresh_token = ${altered} WHERE "userId" = ${userId}`;
    const status = (await current.status.connectionStatus(userId)).status;
    expect(status).toMatchObject({
      state: "reauth_required",
      lastError: "token_unreadable",
      hasRefreshToken: false,
    });
    const events = await app.db.connectionEvent.findMany({ where: { userId, kind: "reauth_required" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ errorCode: "token_unreadable" });
    expect(events[0]?.detail).toMatch(/AUTH_SECRET or TOKEN_ENCRYPTION_KEY/);
    await expect(current.tokens.getMakeAccessToken(userId)).rejects.toMatchObject({
      reason: "reauth_required",
    });
    await current.db.$disconnect();
    // Nothing is cleared on a read: the ciphertext stays until a Reconnect, a Revoke or the rotation command.
    const [after] = await app.db.$queryRaw<{ refresh_token: string }[]>`
      SELECT refresh_token FROM "Account" WHERE "userId" = ${userId}`;
    expect(after!.refresh_token).toBe(altered);
  });

  it("keeps a queued revocation under a key this server lacks, and drops one that fails authentication", async () => {
    const kept = await app.db.pendingRevocation.create({
      data: { userId, token: "queued-token", tokenTypeHint: "access_token" },
    });
    const wrong = await withKeys("another-unrelated-key-".padEnd(40, "x"));
    expect((await wrong.revoke.deliverPendingRevocations({ userId })).remaining).toBeGreaterThan(0);
    expect(await wrong.db.pendingRevocation.count({ where: { id: kept.id } })).toBe(1);
    await wrong.db.$disconnect();

    const current = await withKeys(`${KEY_NEW},${KEY_OLD}`);
    const dead = await current.db.pendingRevocation.create({
      data: { userId, token: "dead-token", tokenTypeHint: "access_token" },
    });
    const [stored] = await app.db.$queryRaw<{ token: string }[]>`
      SELECT token FROM "PendingRevocation" WHERE id = ${dead.id}`;
    const altered = stored!.token.slice(0, -4) + (stored!.token.endsWith("AAAA") ? "BBBB" : "AAAA");
    await app.db.$executeRaw`UPDATE "PendingRevocation" SET token = ${altered} WHERE id = ${dead.id}`;
    await current.revoke.deliverPendingRevocations({ userId });
    expect(await current.db.pendingRevocation.count({ where: { id: dead.id } })).toBe(0);
    expect(app.standIn.controls.stats().revocations).not.toContainEqual(
      expect.objectContaining({ token: "dead-token" }),
    );
    const event = await current.db.connectionEvent.findFirst({
      where: { userId, kind: "revocation_failed" },
    });
    expect(event).toMatchObject({ outcome: "error", errorCode: "token_unreadable" });
    await current.db.$disconnect();
  });

  it("refuses to rotate, changing nothing, while a stored token names a key it does not hold", async () => {
    await app.db.pendingRevocation.create({
      data: { userId, token: "under-the-old-key", tokenTypeHint: "access_token" },
    });
    const incomplete = await withKeys(KEY_NEW);
    const before = await storedCiphertexts(incomplete.db);
    await expect(incomplete.rotate.reencryptAllTokens()).rejects.toThrow(
      /does not hold here. Nothing was changed/,
    );
    expect(await storedCiphertexts(incomplete.db)).toEqual(before);
    await incomplete.db.$disconnect();
  });
});

describe("tokens bound to their row", () => {
  async function accountWith(name: string, sub: string, refreshToken: string) {
    const user = await app.db.user.create({ data: { name } });
    return app.db.account.create({
      data: {
        userId: user.id,
        type: "oidc",
        provider: "make",
        providerAccountId: sub,
        refresh_token: refreshToken,
      },
    });
  }
  const storedRefreshToken = async (id: string) =>
    (
      await app.db.$queryRaw<
        { refresh_token: string }[]
      >`SELECT refresh_token FROM "Account" WHERE id = ${id}`
    )[0]!.refresh_token;

  it("opens no token moved into another row: two accounts' ciphertexts swapped read as unreadable", async () => {
    const ours = await accountWith("Victim", "2101", "victim-refresh-token");
    const theirs = await accountWith("Attacker", "2102", "attacker-refresh-token");
    const [victim, attacker] = [await storedRefreshToken(ours.id), await storedRefreshToken(theirs.id)];
    await app.db.$executeRaw`UPDATE "Account" SET refresh_token = ${victim} WHERE id = ${theirs.id}`;
    await app.db.$executeRaw`UPDATE "Account" SET refresh_token = ${attacker} WHERE id = ${ours.id}`;
    const current = await withKeys(KEY_OLD);
    const { unreadableColumns } = await import("@/lib/db/encrypted-columns");
    for (const id of [ours.id, theirs.id]) {
      const row = await current.db.account.findUniqueOrThrow({ where: { id } });
      expect(row.refresh_token).toBeNull();
      expect(unreadableColumns(row)).toMatchObject({ refresh_token: { reason: "unreadable" } });
    }
    await current.db.$disconnect();
  });

  it("re-seals a token written before row binding (v1) as bound to its row, with tokens:rotate-key", async () => {
    const legacy = await accountWith("Legacy", "2103", "placeholder");
    const current = await withKeys(KEY_OLD);
    // Sealed as the previous release sealed it: AES-256-GCM with the column name alone as associated data.
    const [key] = current.crypto.tokenKeys();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key!.key, iv).setAAD(Buffer.from("refresh_token"));
    const sealed = Buffer.concat([
      cipher.update("legacy-refresh-token", "utf8"),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    const v1 = `enc:v1:${key!.id}:${iv.toString("base64url")}:${sealed.toString("base64url")}`;
    await app.db.$executeRaw`UPDATE "Account" SET refresh_token = ${v1} WHERE id = ${legacy.id}`;
    expect((await current.db.account.findUniqueOrThrow({ where: { id: legacy.id } })).refresh_token).toBe(
      "legacy-refresh-token",
    );
    await current.db.$disconnect();

    const rotating = await withKeys(`${KEY_NEW},${KEY_OLD}`);
    expect((await rotating.rotate.reencryptAllTokens()).remaining).toBe(0);
    const resealed = await storedRefreshToken(legacy.id);
    expect(resealed.startsWith(`enc:v2:${rotating.crypto.tokenKeys()[0]!.id}:`)).toBe(true);
    expect((await rotating.db.account.findUniqueOrThrow({ where: { id: legacy.id } })).refresh_token).toBe(
      "legacy-refresh-token",
    );
    await rotating.db.$disconnect();
  });
});
