/**
 * Make's per-organization API budget, shared by every app server: calls are reserved in the database by
 * zone and organization (SQL `make_api_reserve`, one round trip per page view), each user within a fair
 * share, at most MAX_IN_FLIGHT_PER_ORGANIZATION at once per process. Edit it to change how calls are paced;
 * why this share, and why these statements skip Prisma: docs/architecture.md.
 */
import "server-only";
import { pool } from "@/lib/db";
import { tunable } from "@/lib/test-tuning";

/** The window of Make's per-organization budget. Default: 60 s, Make's minute (tests use a shorter one). */
export const API_BUDGET_WINDOW_SECONDS = tunable("API_BUDGET_WINDOW_SECONDS", 60);
/** Make's Core plan: what an organization gets when Make has not said otherwise. */
export const DEFAULT_API_LIMIT = 60;
export const MAX_IN_FLIGHT_PER_ORGANIZATION = 4;
/**
 * The window is held a little longer than Make's: the first call of Make's window arrives after the
 * reservation that opened ours, so an equal window would let the next one open early.
 */
const WINDOW_GRACE_SECONDS = 1;
const windowSeconds = () => API_BUDGET_WINDOW_SECONDS + WINDOW_GRACE_SECONDS;

/** Whose budget a call spends: organization ids may repeat across zones and private instances. */
export interface BudgetKey {
  zone: string;
  organizationId: number;
}
export const budgetKeyOf = ({ zone, organizationId }: BudgetKey) => `${zone} ${organizationId}`;

export interface Reservation {
  granted: number;
  /** Seconds until the organization's window ends: when a refused call may try again. */
  retryAfterSeconds: number;
}

interface ReservedRow {
  zone: string;
  organizationId: number;
  granted: number;
  retryAfter: number;
}

/**
 * Reserves calls (budget key → number of calls) for one user in one round trip. Each organization grants
 * what is left of its window and of the user's share of it, up to what was asked. The result is keyed by
 * `budgetKeyOf`.
 */
export async function reserveCalls(
  userId: string,
  calls: Iterable<readonly [BudgetKey, number]>,
): Promise<Map<string, Reservation>> {
  const wanted = [...calls].filter(([, count]) => count > 0);
  if (wanted.length === 0) return new Map();
  const { rows } = await pool.query<ReservedRow>(
    `SELECT * FROM make_api_reserve($1::text[], $2::integer[], $3::integer[], $4, $5, $6)`,
    [
      wanted.map(([key]) => key.zone),
      wanted.map(([key]) => key.organizationId),
      wanted.map(([, n]) => n),
      userId,
      windowSeconds(),
      DEFAULT_API_LIMIT,
    ],
  );
  return new Map(
    rows.map((row) => [budgetKeyOf(row), { granted: row.granted, retryAfterSeconds: row.retryAfter }]),
  );
}

/**
 * Make answered 429 although calls were reserved (something else spends the organization's budget too):
 * the rest of that organization's window is marked spent for every app server, and only that one's.
 * Returns the seconds until it ends.
 */
export async function exhaustBudget(key: BudgetKey): Promise<number> {
  const { rows } = await pool.query<{ retryAfter: number }>(
    `INSERT INTO "MakeApiBudget" AS b ("zone", "organizationId", "windowStart", "spent", "updatedAt")
     VALUES ($1, $2, (now() AT TIME ZONE 'UTC'), 1000000, (now() AT TIME ZONE 'UTC'))
     ON CONFLICT ("zone", "organizationId") DO UPDATE SET
       "spent" = 1000000,
       "windowStart" = CASE
         WHEN b."windowStart" <= (now() AT TIME ZONE 'UTC') - $3::integer * interval '1 second'
         THEN (now() AT TIME ZONE 'UTC') ELSE b."windowStart" END,
       "updatedAt" = (now() AT TIME ZONE 'UTC')
     RETURNING GREATEST(1, CEIL(EXTRACT(EPOCH FROM ("windowStart" + $3::integer * interval '1 second'
       - (now() AT TIME ZONE 'UTC')))))::integer AS "retryAfter"`,
    [key.zone, key.organizationId, windowSeconds()],
  );
  return rows[0]?.retryAfter ?? windowSeconds();
}

/** Limits already written by this process, so a limit Make reports again costs no write. */
const knownLimits = new Map<string, number>();

/** Make reported the organization's `license.apiLimit`: reservations use it from now on. */
export async function recordApiLimit(key: BudgetKey, apiLimit: unknown): Promise<void> {
  if (typeof apiLimit !== "number" || !Number.isInteger(apiLimit) || apiLimit <= 0) return;
  if (knownLimits.get(budgetKeyOf(key)) === apiLimit) return;
  await pool.query(
    `INSERT INTO "MakeApiBudget" ("zone", "organizationId", "apiLimit") VALUES ($1, $2, $3)
     ON CONFLICT ("zone", "organizationId") DO UPDATE SET "apiLimit" = EXCLUDED."apiLimit"`,
    [key.zone, key.organizationId, apiLimit],
  );
  knownLimits.set(budgetKeyOf(key), apiLimit);
}

const inFlight = new Map<string, { running: number; waiting: Array<() => void> }>();

/** Runs `work` once fewer than MAX_IN_FLIGHT_PER_ORGANIZATION requests run against the organization here. */
export async function withinInFlightCap<T>(key: BudgetKey, work: () => Promise<T>): Promise<T> {
  const organizationId = budgetKeyOf(key);
  let slot = inFlight.get(organizationId);
  if (!slot) inFlight.set(organizationId, (slot = { running: 0, waiting: [] }));
  if (slot.running >= MAX_IN_FLIGHT_PER_ORGANIZATION) {
    await new Promise<void>((resolve) => slot.waiting.push(resolve));
  } else slot.running += 1;
  try {
    return await work();
  } finally {
    const next = slot.waiting.shift();
    if (next) next();
    else if (--slot.running === 0) inFlight.delete(organizationId);
  }
}
