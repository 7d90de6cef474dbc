/**
 * The Make connection's background work: `runMakeMaintenance`, run by the cron route, offers tokens kept
 * unwritten, delivers the revocations Make has not confirmed and renews idle connections; a long-running
 * server also sweeps revocations (`startRevocationSweep`). Why both, and why idle ones are renewed:
 * ./README.md. Edit it to add work the cron run does for every connection.
 */
import "server-only";
import { performance } from "node:perf_hooks";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { MakeConnectionError } from "@/lib/make/connection/errors";
import { recordConnectionEvent } from "@/lib/make/connection/events";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";
import { leaseMs, offerKeptTokens, renewConnection } from "@/lib/make/connection/refresh";
import { deliverPendingRevocations, type RevocationRun } from "@/lib/make/connection/revoke";
import { tunable } from "@/lib/test-tuning";

/**
 * A connection not refreshed for this long is renewed by the cron run. Default: 30 days, well inside the
 * 180 days a Make refresh token lasts, so a few failed runs in a row still leave time.
 */
export const RENEW_IDLE_AFTER_DAYS = tunable("RENEW_IDLE_AFTER_DAYS", 30);
const SWEEP_MS = 30_000;
/** The revocation queue's share of a run: the rest is for renewals, which need a whole lease each. */
const REVOCATION_SHARE = 0.25;
/** Connections read per query while renewing. */
const RENEWAL_BATCH = 20;

let timer: NodeJS.Timeout | undefined;

export interface RenewalReport {
  renewed: number;
  /**
   * Renewals Make had not answered within the callers' patience: they run on under their lease, registered
   * with the platform, and end before the run's time limit. Neither done nor failed yet.
   */
  pending: number;
  /** Connections Make refused to renew: now `reauth_required`, with the reason in their activity. */
  reauthRequired: number;
  /** Renewals that failed for now (Make down, busy): retried on a later run. */
  failed: number;
  /** Idle connections still due after this run (the budget ran out, or they failed for now). */
  remaining: number;
}

export interface MaintenanceReport {
  /** False while revocations remain, due later or beyond the budget; `revocations` says how many. */
  revocationsSettled: boolean;
  revocations: RevocationRun;
  renewals: RenewalReport;
}

/**
 * One run within `timeLimitMs` (the cron function's maxDuration less room for its answer): offers tokens
 * this process kept unwritten, drains the revocation queue for a share of the time, then renews idle
 * connections while a whole lease still fits, so no work it starts outlives the function.
 */
export async function runMakeMaintenance(timeLimitMs: number): Promise<MaintenanceReport> {
  const endsBy = performance.now() + timeLimitMs;
  await offerKeptTokens();
  const revocations = await deliverPendingRevocations({}, timeLimitMs * REVOCATION_SHARE);
  return {
    revocationsSettled: revocations.remaining === 0,
    revocations,
    renewals: await renewIdleConnections(endsBy),
  };
}

/**
 * Active connections with a refresh token whose last refresh (or sign-in) is older than the idle age;
 * `dueBy` leaves out those backing off after a failure until that time.
 */
function idleConnections(now: Date, options: { dueBy?: Date; exclude?: string[] } = {}) {
  const idleSince = new Date(now.getTime() - RENEW_IDLE_AFTER_DAYS * 86_400_000);
  const due = options.dueBy ? [{ OR: [{ nextRetryAt: null }, { nextRetryAt: { lte: options.dueBy } }] }] : [];
  return {
    provider: MAKE_PROVIDER_ID,
    state: "active" as const,
    refresh_token: { not: null },
    id: { notIn: options.exclude ?? [] },
    OR: [{ lastRefreshedAt: { lt: idleSince } }, { lastRefreshedAt: null, connectedAt: { lt: idleSince } }],
    AND: due,
  };
}

/**
 * Refreshes idle connections, oldest first, until none is left or a renewal's whole lease would no longer
 * end by `endsBy` (a performance.now() time): a renewal's work, however slow Make is, ends with its lease.
 */
export async function renewIdleConnections(
  endsBy = performance.now() + 2 * leaseMs(),
): Promise<RenewalReport> {
  const leaseFits = () => performance.now() + leaseMs() <= endsBy;
  const report = { renewed: 0, pending: 0, reauthRequired: 0, failed: 0 };
  const tried: string[] = [];
  while (leaseFits()) {
    const batch = await db.account.findMany({
      where: idleConnections(new Date(), { dueBy: new Date(), exclude: tried }),
      select: { id: true, userId: true, tokenVersion: true },
      orderBy: [{ lastRefreshedAt: { sort: "asc", nulls: "first" } }, { connectedAt: "asc" }],
      take: RENEWAL_BATCH,
    });
    if (batch.length === 0) break;
    for (const connection of batch) {
      if (!leaseFits()) break;
      tried.push(connection.id);
      const outcome = await renewOne(connection);
      if (outcome) report[outcome] += 1;
    }
  }
  const remaining = await db.account.count({ where: idleConnections(new Date()) });
  return { ...report, remaining };
}

async function renewOne(connection: { id: string; userId: string; tokenVersion: number }) {
  const accountId = connection.id;
  try {
    const renewal = await renewConnection(connection.userId, connection.tokenVersion);
    if (renewal !== "renewed") return renewal ?? undefined;
    await recordConnectionEvent(connection.userId, "kept_alive", "ok");
    return "renewed" as const;
  } catch (error) {
    const reason = error instanceof MakeConnectionError ? error.reason : "error";
    const outcome = reason === "reauth_required" ? ("reauthRequired" as const) : ("failed" as const);
    log.warn("idle connection not renewed", { accountId, reason });
    // The refresh protocol recorded what Make answered; this entry says the background job asked.
    await recordConnectionEvent(connection.userId, "kept_alive", "error", { errorCode: reason }).catch(
      () => {},
    );
    return outcome;
  }
}

export function startRevocationSweep() {
  if (timer) return;
  timer = setInterval(() => {
    Promise.all([offerKeptTokens(), deliverPendingRevocations({}, SWEEP_MS)]).catch((error) =>
      log.error("revocation sweep failed", { error: error?.message ?? String(error) }),
    );
  }, SWEEP_MS);
  timer.unref();
}
