/**
 * The single place where token columns cross the database boundary. As a Prisma client extension it sits
 * under every query, including the ones @auth/prisma-adapter makes on first sign-in, so no code path can
 * write a token in clear or hand ciphertext to a caller.
 *
 * Writes: any `data` field named like a token column is encrypted, at any depth (nested creates too).
 * Reads: any such field in a result is decrypted, at any depth (includes of accounts too).
 * Raw SQL bypasses this: token columns are never written with raw SQL, and the one raw read of them (the
 * session read, lib/auth/session-read.ts) opens them with `openTokenColumns` below.
 * @see https://www.prisma.io/docs/orm/prisma-client/client-extensions/query
 */
import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { decryptToken, encryptToken } from "@/lib/tokens/crypto";

/** Columns that hold a Make token: Account's three, and PendingRevocation.token. */
export const TOKEN_COLUMNS = new Set(["access_token", "refresh_token", "id_token", "token"]);

type Transform = (value: string, column: string) => string;

function mapTokenFields(value: unknown, transform: Transform): unknown {
  if (Array.isArray(value)) return value.map((item) => mapTokenFields(item, transform));
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (TOKEN_COLUMNS.has(key) && typeof field === "string") out[key] = transform(field, key);
    else if (TOKEN_COLUMNS.has(key) && isSetOperation(field)) out[key] = { set: transform(field.set, key) };
    else out[key] = mapTokenFields(field, transform);
  }
  return out;
}

const isSetOperation = (field: unknown): field is { set: string } =>
  typeof field === "object" && field !== null && typeof (field as { set?: unknown }).set === "string";

/** Decrypts the token columns of rows read without Prisma. */
export const openTokenColumns = <T>(rows: T): T => mapTokenFields(rows, decryptToken) as T;

const WRITE_KEYS = ["data", "create", "update"] as const;

export const encryptedTokens = Prisma.defineExtension({
  name: "encrypted-tokens",
  query: {
    $allModels: {
      async $allOperations({ args, query }) {
        const sealed = { ...(args as Record<string, unknown>) };
        for (const key of WRITE_KEYS) {
          if (key in sealed) sealed[key] = mapTokenFields(sealed[key], encryptToken);
        }
        const result = await query(sealed as typeof args);
        return mapTokenFields(result, decryptToken) as typeof result;
      },
    },
  },
});
