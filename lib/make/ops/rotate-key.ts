/**
 * `npm run tokens:rotate-key`: re-encrypts every stored token under the first key of TOKEN_ENCRYPTION_KEY,
 * bound to its row, each row only if nobody changed it meanwhile (tokenVersion), pass after pass until none
 * is left under an old key; it refuses, writing nothing, while a value names a key it is not given. Why, and
 * when to run it: ./README.md and docs/deploying.md ("Rotating secrets").
 */
import "server-only";
import { db } from "@/lib/db";
import { unreadableColumns } from "@/lib/db/encrypted-columns";
import { sealedUnderCurrentKey, tokenKeys } from "@/lib/db/token-encryption";
import { settleUnreadable } from "@/lib/make/connection/state";

const ACCOUNT_TOKENS = ["access_token", "refresh_token", "id_token"] as const;
/** Enough for any number of refreshes racing it; a server still encrypting with an old key keeps rows back. */
const MAX_PASSES = 20;

export interface RotationReport {
  /** Account rows and pending revocations rewritten under the current key. */
  accounts: number;
  pendingRevocations: number;
  /** Accounts whose tokens no configured key opens: set to `reauth_required` (the user reconnects). */
  unreadableAccounts: number;
  /** Pending revocations whose token no configured key opens: dropped (they could never be delivered). */
  unreadableRevocations: number;
  /** Rows still under an old key at the end; old keys must stay configured until this is 0. */
  remaining: number;
  passes: number;
}

export interface RotationOptions {
  /** Runs between reading a pass's rows and writing them: a test stages a concurrent refresh here. */
  afterRead?: () => Promise<void>;
}

function staleFilters() {
  const current = sealedUnderCurrentKey();
  // `where` filters see the stored ciphertext (only `data` is encrypted), so this finds values under old keys.
  const stale = (column: string) => ({
    AND: [{ [column]: { not: null } }, { NOT: { [column]: { startsWith: current } } }],
  });
  return {
    account: { OR: ACCOUNT_TOKENS.map(stale) },
    pendingRevocation: { NOT: { token: { startsWith: current } } },
  };
}

async function reencryptAccounts(report: RotationReport, options: RotationOptions): Promise<number> {
  const rows = await db.account.findMany({
    where: staleFilters().account,
    select: {
      id: true,
      userId: true,
      tokenVersion: true,
      access_token: true,
      refresh_token: true,
      id_token: true,
    },
  });
  await options.afterRead?.();
  for (const row of rows) {
    if (Object.keys(unreadableColumns(row)).length > 0) {
      await settleUnreadable(row);
      // Cleared only if nobody replaced the dead values meanwhile (a Reconnect wins).
      const stored = Object.fromEntries(
        Object.entries(unreadableColumns(row)).map(([name, column]) => [name, column.stored]),
      );
      const cleared = Object.fromEntries(Object.keys(stored).map((name) => [name, null]));
      await db.account.updateMany({ where: { id: row.id, ...stored }, data: cleared });
      report.unreadableAccounts += 1;
      continue;
    }
    const { id, tokenVersion, access_token, refresh_token, id_token } = row;
    const data = { access_token, refresh_token, id_token };
    report.accounts += (await db.account.updateMany({ where: { id, tokenVersion }, data })).count;
  }
  return rows.length;
}

async function reencryptPendingRevocations(report: RotationReport): Promise<number> {
  const rows = await db.pendingRevocation.findMany({
    where: staleFilters().pendingRevocation,
    select: { id: true, token: true },
  });
  for (const { id, token } of rows) {
    if (token === null) {
      report.unreadableRevocations += (await db.pendingRevocation.deleteMany({ where: { id } })).count;
      continue;
    }
    const { count } = await db.pendingRevocation.updateMany({ where: { id }, data: { token } });
    report.pendingRevocations += count;
  }
  return rows.length;
}

export class UnknownKeysError extends Error {
  override name = "UnknownKeysError";
}

/** Every key id named by a stored value that this process does not hold. */
async function unknownKeyIds(): Promise<string[]> {
  const rows = await db.$queryRaw<{ value: string }[]>`
    SELECT DISTINCT split_part(value, ':', 3) AS value FROM (
      SELECT unnest(ARRAY[access_token, refresh_token, id_token]) AS value FROM "Account"
      UNION ALL SELECT token FROM "PendingRevocation"
    ) stored
    WHERE value LIKE 'enc:v_:%'`;
  const held = new Set(tokenKeys().map((key) => key.id));
  return rows.map((row) => row.value).filter((id) => !held.has(id));
}

export async function reencryptAllTokens(options: RotationOptions = {}): Promise<RotationReport> {
  const unknown = await unknownKeyIds();
  if (unknown.length > 0) {
    throw new UnknownKeysError(
      `Stored tokens name key id(s) ${unknown.join(", ")}, which TOKEN_ENCRYPTION_KEY does not hold here. ` +
        "Nothing was changed: add those keys after the first one and run this again.",
    );
  }
  const report: RotationReport = {
    accounts: 0,
    pendingRevocations: 0,
    unreadableAccounts: 0,
    unreadableRevocations: 0,
    remaining: 0,
    passes: 0,
  };
  while (report.passes < MAX_PASSES) {
    report.passes += 1;
    const seen = (await reencryptAccounts(report, options)) + (await reencryptPendingRevocations(report));
    if (seen === 0) break;
  }
  const filters = staleFilters();
  const [accounts, pendingRevocations] = await Promise.all([
    db.account.count({ where: filters.account }),
    db.pendingRevocation.count({ where: filters.pendingRevocation }),
  ]);
  report.remaining = accounts + pendingRevocations;
  return report;
}
