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
  return execFileSync(postgresTool("pg_dump"), ["--data-only", "--no-owner", app.databaseUrl], { encoding: "utf8", maxBuffer: 64 << 20 });
};

/** Re-imports the app modules against the same database and stand-in with another TOKEN_ENCRYPTION_KEY. */
async function withKeys(keys: string) {
  vi.resetModules();
  delete (globalThis as { prisma?: unknown }).prisma;
  vi.stubEnv("TOKEN_ENCRYPTION_KEY", keys);
  const { db } = await import("@/lib/db");
  return { db, rotate: await import("@/lib/tokens/rotate-key") };
}

beforeAll(async () => {
  app = await loadAppModules({ env: { TOKEN_ENCRYPTION_KEY: KEY_OLD } });
  const tokens = await signInTokens(await discover(app.mock), { client: "confidential", nonce: "n" });
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
    expect(await rotated.rotate.reencryptAllTokens()).toEqual({ accounts: 1, pendingRevocations: 0 });
    await rotated.db.$disconnect();

    const onlyNew = await withKeys(KEY_NEW);
    const after = await onlyNew.db.account.findFirstOrThrow({ where: { userId } });
    expect(after.refresh_token).toBe(before.refresh_token);
    await onlyNew.db.$disconnect();
  });

  it("refuses to read tokens when their key is no longer configured, naming the variable", async () => {
    const wrong = await withKeys("unrelated-key-".padEnd(40, "u"));
    await expect(wrong.db.account.findFirstOrThrow({ where: { userId } })).rejects.toThrow(/TOKEN_ENCRYPTION_KEY/);
    await wrong.db.$disconnect();
  });
});
