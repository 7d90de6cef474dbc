/**
 * Authenticated encryption of secret columns at rest: AES-256-GCM, each value bound to its column and row,
 * under keys from TOKEN_ENCRYPTION_KEY or AUTH_SECRET. The format, the keys and their rotation, and why it
 * is written by hand: lib/db/README.md, "Token encryption".
 */
import "server-only";
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

const PREFIX = "enc:v2:";
const LEGACY_PREFIX = "enc:v1:";
// Part of every key: changing it makes every stored token unreadable. Never edit it once tokens are stored.
const HKDF_INFO = "make-starter token encryption v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface TokenKey {
  id: string;
  key: Buffer;
}

/** A stored value that cannot be opened. */
export class ColumnDecryptionError extends Error {
  override name = "ColumnDecryptionError";
}

/**
 * Sealed under a key this process does not hold (an older or a newer deployment's): not proof of anything
 * wrong with the value, so it must be left as it is.
 */
export class UnknownKeyError extends ColumnDecryptionError {
  override name = "UnknownKeyError";
  constructor(
    message: string,
    readonly keyId: string,
  ) {
    super(message);
  }
}

function deriveKey(secret: string): TokenKey {
  const key = Buffer.from(hkdfSync("sha256", secret, "", HKDF_INFO, 32));
  const id = createHash("sha256").update(key).digest("base64url").slice(0, 8);
  return { id, key };
}

/** The configured keys, first one encrypts. Derived lazily once per process. */
let cachedKeys: { source: string; keys: TokenKey[] } | undefined;
export function tokenKeys(): TokenKey[] {
  const source = env.TOKEN_ENCRYPTION_KEY ?? env.AUTH_SECRET;
  if (cachedKeys?.source !== source) {
    const secrets = env.TOKEN_ENCRYPTION_KEY
      ? env.TOKEN_ENCRYPTION_KEY.split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [env.AUTH_SECRET];
    if (secrets.some((secret) => secret.length < 32)) {
      throw new Error("TOKEN_ENCRYPTION_KEY: every key must be at least 32 characters");
    }
    cachedKeys = { source, keys: secrets.map(deriveKey) };
  }
  return cachedKeys.keys;
}

export const isEncrypted = (value: string) => value.startsWith(PREFIX) || value.startsWith(LEGACY_PREFIX);

/** What a value is bound to: its column and its row (v2), or its column alone (v1). */
const associatedData = (column: string, rowId: string | undefined) =>
  Buffer.from(rowId === undefined ? column : `${column}\u0000${rowId}`);

export function encryptColumn(plaintext: string, column: string, rowId: string): string {
  const [current] = tokenKeys();
  if (!current) throw new Error("TOKEN_ENCRYPTION_KEY: no key configured");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv, { authTagLength: TAG_BYTES }).setAAD(
    associatedData(column, rowId),
  );
  const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${current.id}:${iv.toString("base64url")}:${sealed.toString("base64url")}`;
}

/** Opens a value of `column` in the row `rowId` (a v1 value is opened without it). */
export function decryptColumn(stored: string, column: string, rowId: string | undefined): string {
  if (!isEncrypted(stored)) throw new ColumnDecryptionError(`${column} is not encrypted`);
  const legacy = stored.startsWith(LEGACY_PREFIX);
  if (!legacy && rowId === undefined)
    throw new ColumnDecryptionError(`${column} cannot be opened without the id of its row`);
  const [keyId = "", ivPart, sealedPart] = stored.slice(PREFIX.length).split(":");
  if (!ivPart || !sealedPart)
    throw new ColumnDecryptionError(`${column} is malformed: the stored value was altered`);
  const key = tokenKeys().find((candidate) => candidate.id === keyId);
  if (!key) {
    throw new UnknownKeyError(
      `${column} was encrypted with a key that is not configured here (key id ${keyId}); keep old keys in TOKEN_ENCRYPTION_KEY after the first one until \`npm run tokens:rotate-key\` has run`,
      keyId,
    );
  }
  const iv = Buffer.from(ivPart, "base64url");
  const sealed = Buffer.from(sealedPart, "base64url");
  // GCM would accept any IV length and tags down to 4 bytes: only the exact shape encryptColumn writes opens.
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) {
    throw new ColumnDecryptionError(`${column} is malformed: the stored value was altered`);
  }
  const decipher = createDecipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES })
    .setAAD(associatedData(column, legacy ? undefined : rowId))
    .setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new ColumnDecryptionError(`${column} failed authentication: the stored value was altered`);
  }
}

/** The start of every value sealed as this process seals now: v2, under the current (first) key. */
export const sealedUnderCurrentKey = () => `${PREFIX}${tokenKeys()[0]?.id}:`;

/** True when a stored value is encrypted under a key other than the current (first) one, or as v1. */
export function needsReencryption(stored: string): boolean {
  const [current] = tokenKeys();
  return !stored.startsWith(`${PREFIX}${current?.id}:`);
}
