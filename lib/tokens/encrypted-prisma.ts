/**
 * The single place where token columns cross the database boundary. As a Prisma client extension it sits
 * under every query, including the ones @auth/prisma-adapter makes on first sign-in, so no code path can
 * write a token in clear or hand ciphertext to a caller.
 *
 * Writes: any `data` field named like a token column is encrypted, at any depth (nested creates too).
 * Reads: any such field in a result is decrypted, at any depth (includes of accounts too). A value that
 * cannot be decrypted (its key is gone, e.g. AUTH_SECRET changed without TOKEN_ENCRYPTION_KEY) is read as
 * null and noted on its row (`unreadableTokens`), so one bad column never turns into an error page or a
 * failed sign-in; lib/tokens/unreadable-tokens.ts then asks the user to reconnect.
 * Raw SQL bypasses this: token columns are never written with raw SQL, and the one raw read of them (the
 * session read, lib/auth/session-read.ts) opens them with `openTokenColumns` below.
 * @see https://www.prisma.io/docs/orm/prisma-client/client-extensions/query
 */
import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { decryptToken, encryptToken, TokenDecryptionError } from "@/lib/tokens/crypto";

/** Columns that hold a Make token: Account's three, and PendingRevocation.token. */
export const TOKEN_COLUMNS = new Set(["access_token", "refresh_token", "id_token", "token"]);

const UNREADABLE = Symbol("unreadable token columns");

type Transform = (value: string, column: string) => string;

function sealFields(value: unknown, transform: Transform): unknown {
  if (Array.isArray(value)) return value.map((item) => sealFields(item, transform));
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (TOKEN_COLUMNS.has(key) && typeof field === "string") out[key] = transform(field, key);
    else if (TOKEN_COLUMNS.has(key) && isSetOperation(field)) out[key] = { set: transform(field.set, key) };
    else out[key] = sealFields(field, transform);
  }
  return out;
}

const isSetOperation = (field: unknown): field is { set: string } =>
  typeof field === "object" && field !== null && typeof (field as { set?: unknown }).set === "string";

function openFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(openFields);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  const unreadable: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!TOKEN_COLUMNS.has(key) || typeof field !== "string") {
      out[key] = openFields(field);
      continue;
    }
    try {
      out[key] = decryptToken(field, key);
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      out[key] = null;
      unreadable[key] = field;
    }
  }
  if (Object.keys(unreadable).length) {
    Object.defineProperty(out, UNREADABLE, { value: unreadable, enumerable: false });
  }
  return out;
}

/**
 * The token columns of a row read through this module that could not be decrypted (read as null), with
 * the stored ciphertext of each; empty when every token opened.
 */
export const unreadableTokens = (row: object | null | undefined): Readonly<Record<string, string>> =>
  (row as { [UNREADABLE]?: Record<string, string> } | null | undefined)?.[UNREADABLE] ?? {};

/** Decrypts the token columns of rows read without Prisma. */
export const openTokenColumns = <T>(rows: T): T => openFields(rows) as T;

const WRITE_KEYS = ["data", "create", "update"] as const;

export const encryptedTokens = Prisma.defineExtension({
  name: "encrypted-tokens",
  query: {
    $allModels: {
      async $allOperations({ args, query }) {
        const sealed = { ...(args as Record<string, unknown>) };
        for (const key of WRITE_KEYS) {
          if (key in sealed) sealed[key] = sealFields(sealed[key], encryptToken);
        }
        const result = await query(sealed as typeof args);
        return openFields(result) as typeof result;
      },
    },
  },
});
