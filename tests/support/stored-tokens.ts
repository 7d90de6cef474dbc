/**
 * The Make tokens an e2e stack's app stored, in clear: read from the Account row and opened with the
 * app's own decryption module and the stack's secret. For tests that prove a token value appears nowhere
 * else (responses, client JavaScript).
 */
import { vi } from "vitest";
import { STAND_IN_CLIENTS } from "@/make-stand-in/server";
import { TEST_AUTH_SECRET, type Stack } from "./stack";

export async function storedTokens(
  stack: Stack,
): Promise<{ accessToken: string; refreshToken: string | null }> {
  const [row] = await stack.query<{ id: string; access_token: string; refresh_token: string | null }>(
    `SELECT id, access_token, refresh_token FROM "Account" ORDER BY "connectedAt" DESC LIMIT 1`,
  );
  if (!row?.access_token) throw new Error("no stored Make access token");
  const env = {
    NODE_ENV: "test",
    SKIP_ENV_VALIDATION: "",
    DATABASE_URL: stack.databaseUrl,
    AUTH_SECRET: TEST_AUTH_SECRET,
    AUTH_MAKE_ISSUER: stack.standIn.issuer,
    AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
    TOKEN_ENCRYPTION_KEY: "",
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    vi.resetModules();
    const { decryptColumn } = await import("@/lib/db/token-encryption");
    return {
      accessToken: decryptColumn(row.access_token, "access_token", row.id),
      refreshToken: row.refresh_token ? decryptColumn(row.refresh_token, "refresh_token", row.id) : null,
    };
  } finally {
    vi.unstubAllEnvs();
  }
}

/** `value` sealed as the stack's app seals an encrypted column of row `rowId`, for rows a test writes with SQL. */
export async function sealedForStack(
  stack: Stack,
  value: string,
  column: string,
  rowId: string,
): Promise<string> {
  vi.stubEnv("SKIP_ENV_VALIDATION", "1");
  vi.stubEnv("AUTH_SECRET", TEST_AUTH_SECRET);
  vi.stubEnv("TOKEN_ENCRYPTION_KEY", "");
  try {
    vi.resetModules();
    const { encryptColumn } = await import("@/lib/db/token-encryption");
    return encryptColumn(value, column, rowId);
  } finally {
    vi.unstubAllEnvs();
  }
}

/** The tokens waiting in the revocation queue, in clear, with their hint and whose they are. */
export async function queuedRevocations(
  stack: Stack,
): Promise<{ token: string; tokenTypeHint: string; userId: string | null }[]> {
  const rows = await stack.query<{ id: string; token: string; tokenTypeHint: string; userId: string | null }>(
    `SELECT id, token, "tokenTypeHint", "userId" FROM "PendingRevocation" ORDER BY "createdAt", "tokenTypeHint"`,
  );
  vi.stubEnv("SKIP_ENV_VALIDATION", "1");
  vi.stubEnv("AUTH_SECRET", TEST_AUTH_SECRET);
  vi.stubEnv("TOKEN_ENCRYPTION_KEY", "");
  try {
    vi.resetModules();
    const { decryptColumn } = await import("@/lib/db/token-encryption");
    return rows.map(({ id, ...row }) => ({ ...row, token: decryptColumn(row.token, "token", id) }));
  } finally {
    vi.unstubAllEnvs();
  }
}
