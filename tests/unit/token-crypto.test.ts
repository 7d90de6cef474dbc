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
  return import("@/lib/tokens/crypto");
}

describe("token encryption", () => {
  beforeEach(() => vi.unstubAllEnvs());

  it("round-trips a token and never stores it in clear", async () => {
    const { encryptToken, decryptToken } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = encryptToken("at-secret-value", "access_token");
    expect(sealed).not.toContain("at-secret-value");
    expect(sealed.startsWith("enc:v1:")).toBe(true);
    expect(decryptToken(sealed, "access_token")).toBe("at-secret-value");
  });

  it("uses a fresh IV for every value", async () => {
    const { encryptToken } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    expect(encryptToken("same", "access_token")).not.toBe(encryptToken("same", "access_token"));
  });

  it("refuses a ciphertext moved to another column", async () => {
    const { encryptToken, decryptToken } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = encryptToken("rt", "refresh_token");
    expect(() => decryptToken(sealed, "access_token")).toThrow(/altered/);
  });

  it("refuses a tampered ciphertext", async () => {
    const { encryptToken, decryptToken } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = encryptToken("rt", "refresh_token");
    const tampered = sealed.slice(0, -3) + (sealed.endsWith("A") ? "BBB" : "AAA");
    expect(() => decryptToken(tampered, "refresh_token")).toThrow();
  });

  it("reads values written under an old key after rotation, and writes under the new one", async () => {
    const old = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealedOld = old.encryptToken("rt-old", "refresh_token");
    const rotated = await cryptoWith({ TOKEN_ENCRYPTION_KEY: `${SECRET_B},${SECRET_A}` });
    expect(rotated.decryptToken(sealedOld, "refresh_token")).toBe("rt-old");
    expect(rotated.needsReencryption(sealedOld)).toBe(true);
    const sealedNew = rotated.encryptToken("rt-new", "refresh_token");
    expect(rotated.needsReencryption(sealedNew)).toBe(false);
  });

  it("names the problem when the key that encrypted a value is gone", async () => {
    const old = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_A });
    const sealed = old.encryptToken("rt", "refresh_token");
    const other = await cryptoWith({ TOKEN_ENCRYPTION_KEY: SECRET_B });
    expect(() => other.decryptToken(sealed, "refresh_token")).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it("derives the key from AUTH_SECRET when TOKEN_ENCRYPTION_KEY is unset", async () => {
    const { encryptToken, decryptToken } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: undefined });
    expect(decryptToken(encryptToken("v", "id_token"), "id_token")).toBe("v");
  });

  it("rejects a key shorter than 32 characters", async () => {
    const { encryptToken } = await cryptoWith({ TOKEN_ENCRYPTION_KEY: "short" });
    expect(() => encryptToken("v", "id_token")).toThrow(/at least 32/);
  });
});
