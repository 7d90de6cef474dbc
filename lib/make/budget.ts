/**
 * Make's API budget, shared by every app server: Make allows each organization a number of calls a minute
 * (its `license.apiLimit`, 60 on the Core plan) across everything that calls it. Calls are reserved in
 * the database (`MakeApiBudget`, one row per organization, a fixed window), several organizations in one
 * statement, so pacing costs one round trip per page view that calls Make and none on a page that does not.
 * Within a process, at most MAX_IN_FLIGHT_PER_ORGANIZATION requests run against one organization at once.
 *
 * These statements run on page views, so they go straight to the `pg` pool like the session read
 * (lib/auth/session-read.ts): through Prisma's client, a cold server's first dashboard would also wait for
 * Prisma to load its query compiler (`npm run bench`, cold start).
 */
import "server-only";
import { pool } from "@/lib/db";
import { env } from "@/lib/env";

/** Make's Core plan: what an organization gets when Make has not said otherwise. */
export const DEFAULT_API_LIMIT = 60;
export const MAX_IN_FLIGHT_PER_ORGANIZATION = 4;
/**
 * The window is held a little longer than Make's: the first call of Make's window arrives after the
 * reservation that opened ours, so an equal window would let the next one open early.
 */
const WINDOW_GRACE_SECONDS = 1;
const windowSeconds = () => env.MAKE_API_BUDGET_WINDOW_SECONDS + WINDOW_GRACE_SECONDS;

export interface Reservation {
  granted: number;
  /** Seconds until the organization's window ends: when a refused call may try again. */
  retryAfterSeconds: number;
}

interface ReservedRow {
  organizationId: number;
  spent: number;
  limit: number;
  retryAfter: number;
}

// $1 organization ids, $2 calls asked, $3 the window in seconds, $4 the limit when Make has not said.
const RESERVE_SQL = `
  INSERT INTO "MakeApiBudget" AS b ("organizationId", "windowStart", "spent", "updatedAt")
  SELECT r.id, (now() AT TIME ZONE 'UTC'), r.n, (now() AT TIME ZONE 'UTC')
  FROM unnest($1::integer[], $2::integer[]) AS r(id, n)
  ON CONFLICT ("organizationId") DO UPDATE SET
    "spent" = CASE
      WHEN b."windowStart" <= (now() AT TIME ZONE 'UTC') - $3::integer * interval '1 second'
      THEN EXCLUDED."spent" ELSE b."spent" + EXCLUDED."spent" END,
    "windowStart" = CASE
      WHEN b."windowStart" <= (now() AT TIME ZONE 'UTC') - $3::integer * interval '1 second'
      THEN (now() AT TIME ZONE 'UTC') ELSE b."windowStart" END,
    "updatedAt" = (now() AT TIME ZONE 'UTC')
  RETURNING "organizationId", "spent", COALESCE("apiLimit", $4::integer) AS "limit",
    GREATEST(1, CEIL(EXTRACT(EPOCH FROM ("windowStart" + $3::integer * interval '1 second'
      - (now() AT TIME ZONE 'UTC')))))::integer AS "retryAfter"`;

/**
 * Reserves `calls` (organization id → number of calls) in one statement. Each organization gets what is
 * left of its window, up to what was asked. A refused request still counts against the window it was
 * refused in, which ends on time all the same.
 */
export async function reserveCalls(calls: ReadonlyMap<number, number>): Promise<Map<number, Reservation>> {
  const wanted = [...calls].filter(([, count]) => count > 0);
  if (wanted.length === 0) return new Map();
  const { rows } = await pool.query<ReservedRow>(RESERVE_SQL, [
    wanted.map(([id]) => id),
    wanted.map(([, n]) => n),
    windowSeconds(),
    DEFAULT_API_LIMIT,
  ]);
  return new Map(
    rows.map((row) => {
      const asked = calls.get(row.organizationId) ?? 0;
      const granted = Math.max(0, Math.min(asked, row.limit - (row.spent - asked)));
      return [row.organizationId, { granted, retryAfterSeconds: row.retryAfter }];
    }),
  );
}

/**
 * Make answered 429 although calls were reserved (something else spends the organization's budget too):
 * the rest of the window is marked spent for every app server. Returns the seconds until it ends.
 */
export async function exhaustBudget(organizationId: number): Promise<number> {
  const reservation = await reserveCalls(new Map([[organizationId, 1_000_000]]));
  return reservation.get(organizationId)?.retryAfterSeconds ?? windowSeconds();
}

/** Limits already written by this process, so a limit Make reports again costs no write. */
const knownLimits = new Map<number, number>();

/** Make reported the organization's `license.apiLimit`: reservations use it from now on. */
export async function recordApiLimit(organizationId: number, apiLimit: unknown): Promise<void> {
  if (typeof apiLimit !== "number" || !Number.isInteger(apiLimit) || apiLimit <= 0) return;
  if (knownLimits.get(organizationId) === apiLimit) return;
  await pool.query(
    `INSERT INTO "MakeApiBudget" ("organizationId", "apiLimit") VALUES ($1, $2)
     ON CONFLICT ("organizationId") DO UPDATE SET "apiLimit" = EXCLUDED."apiLimit"`,
    [organizationId, apiLimit],
  );
  knownLimits.set(organizationId, apiLimit);
}

const inFlight = new Map<number, { running: number; waiting: Array<() => void> }>();

/** Runs `work` once fewer than MAX_IN_FLIGHT_PER_ORGANIZATION requests run against the organization here. */
export async function withinInFlightCap<T>(organizationId: number, work: () => Promise<T>): Promise<T> {
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
