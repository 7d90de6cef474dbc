import { createCipheriv } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";

const SECRET_A = "a".repeat(40);
const SECRET_B = "b".repeat(40);

async function cryptoWith(vars: Record<string, string | undefined>) {
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.stubEnv("SKIP_ENV_VALIDATION", "");
  vi.stubEnv("DATABASE_URL", "postgresql://localhost/unused");
  vi.stubEnv("AUTH_SECRET", "s".repeat(40));
  vi.stubEnv("AUTH_MAKE_ISSUER", "http://localhost:4010");
  vi.stubEnv("AUTH_MAKE_ID", "client");
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return import("@/lib/db/token-encryption");
}

describe("token encryption", () => {
  beforeEach(() => vi.unstubAllEnvs());

  it("round-trips a token and never stores it in clear", async () => {
    const { encryptColumn, decryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = encryptColumn("at-secret-value", "access_token", "row-1");
    expect(sealed).not.toContain("at-secret-value");
    expect(sealed.startsWith("enc:v2:")).toBe(true);
    expect(decryptColumn(sealed, "access_token", "row-1")).toBe("at-secret-value");
  });

  it("uses a fresh IV for every value", async () => {
    const { encryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    expect(encryptColumn("same", "access_token", "row-1")).not.toBe(
      encryptColumn("same", "access_token", "row-1"),
    );
  });

  it("refuses a ciphertext moved to another column", async () => {
    const { encryptColumn, decryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = encryptColumn("rt", "refresh_token", "row-1");
    expect(() => decryptColumn(sealed, "access_token", "row-1")).toThrow(/altered/);
  });

  it("refuses a tampered ciphertext", async () => {
    const { encryptColumn, decryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = encryptColumn("rt", "refresh_token", "row-1");
    const tampered = sealed.slice(0, -3) + (sealed.endsWith("A") ? "BBB" : "AAA");
    expect(() => decryptColumn(tampered, "refresh_token", "row-1")).toThrow();
  });

  it("reads values written under an old key after rotation, and writes under the new one", async () => {
    const old = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealedOld = old.encryptColumn("rt-old", "refresh_token", "row-1");
    const rotated = await cryptoWith({ TOKEN_ENCRYPTION_KEY: `${SECRET_B},${SECRET_A}` });
    expect(rotated.decryptColumn(sealedOld, "refresh_token", "row-1")).toBe("rt-old");
    expect(rotated.needsReencryption(sealedOld)).toBe(true);
    const sealedNew = rotated.encryptColumn("rt-new", "refresh_token", "row-1");
    expect(rotated.needsReencryption(sealedNew)).toBe(false);
  });

  it("names the problem when the key that encrypted a value is gone", async () => {
    const old = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = old.encryptColumn("rt", "refresh_token", "row-1");
    const other = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_B });
    expect(() => other.decryptColumn(sealed, "refresh_token", "row-1")).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it("derives the key from AUTH_SECRET when TOKEN_ENCRYPTION_KEY is unset", async () => {
    const { encryptColumn, decryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: undefined });
    expect(decryptColumn(encryptColumn("v", "id_token", "row-1"), "id_token", "row-1")).toBe("v");
  });

  /** A value sealed with the app's own key but an IV and tag of the given sizes: genuine, only mis-shaped. */
  function sealWith(
    keys: { id: string; key: Buffer }[],
    options: { ivBytes: number; tagBytes: number },
    column: string,
  ) {
    const [current] = keys;
    const iv = Buffer.alloc(options.ivBytes, 7);
    const cipher = createCipheriv("aes-256-gcm", current!.key, iv, { authTagLength: 16 }).setAAD(
      Buffer.from(column),
    );
    const sealed = Buffer.concat([
      cipher.update("", "utf8"),
      cipher.final(),
      cipher.getAuthTag().subarray(0, options.tagBytes),
    ]);
    return `enc:v1:${current!.id}:${iv.toString("base64url")}:${sealed.toString("base64url")}`;
  }

  it("refuses a value whose authentication tag is shorter than 16 bytes, even a genuine truncated one", async () => {
    const { tokenKeys, decryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    expect(
      decryptColumn(
        sealWith(tokenKeys(), { ivBytes: 12, tagBytes: 16 }, "access_token"),
        "access_token",
        "row-1",
      ),
    ).toBe("");
    const truncated = sealWith(tokenKeys(), { ivBytes: 12, tagBytes: 4 }, "access_token");
    expect(() => decryptColumn(truncated, "access_token", "row-1")).toThrow(/altered/);
  });

  it("refuses a value whose IV is not 12 bytes", async () => {
    const { tokenKeys, decryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    for (const ivBytes of [1, 16]) {
      const odd = sealWith(tokenKeys(), { ivBytes, tagBytes: 16 }, "access_token");
      expect(() => decryptColumn(odd, "access_token", "row-1"), `${ivBytes}-byte IV`).toThrow(/altered/);
    }
  });

  it("binds a value to its row: copied into another row, it fails authentication", async () => {
    const { encryptColumn, decryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = encryptColumn("ada-refresh-token", "refresh_token", "account-of-ada");
    expect(sealed.startsWith("enc:v2:")).toBe(true);
    expect(decryptColumn(sealed, "refresh_token", "account-of-ada")).toBe("ada-refresh-token");
    expect(() => decryptColumn(sealed, "refresh_token", "account-of-mallory")).toThrow(/altered/);
    expect(() => decryptColumn(sealed, "refresh_token", undefined)).toThrow(/id of its row/);
  });

  it("still opens a value written before row binding (v1, bound to its column only), and asks to re-seal it", async () => {
    const { tokenKeys, decryptColumn, needsReencryption } = await cryptoWith({
      TOKEN_ENCRYPTION_KEY: SECRET_A,
    });
    const legacy = sealWith(tokenKeys(), { ivBytes: 12, tagBytes: 16 }, "access_token");
    expect(decryptColumn(legacy, "access_token", "any-row")).toBe("");
    expect(needsReencryption(legacy)).toBe(true);
  });

  it("rejects a key shorter than 32 characters", async () => {
    const { encryptColumn } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: "short" });
    expect(() => encryptColumn("v", "id_token", "row-1")).toThrow(/at least 32/);
  });
});
