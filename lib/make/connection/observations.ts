/**
 * What this app has seen of Make's undocumented answers (a token's `expires_in`, whether a refresh rotated
 * the refresh token or carried an id_token, `iss` on the redirect, what revocation answered), kept the first
 * time each is seen for `npm run make:doctor`; recording never fails a request. Add one when the app comes
 * to rely on another undocumented answer.
 */
import "server-only";
import { outliveResponse } from "@/lib/background-work";

export const OBSERVED_FACTS = {
  "sign_in.expires_in": "expires_in of the code exchange",
  "refresh.expires_in": "expires_in of a refresh answer",
  "refresh.rotation": "refresh token in a refresh answer",
  "refresh.id_token": "id_token in a refresh answer",
  "authorization_response.iss": "iss on the authorization redirect",
  "revocation.status": "HTTP status of a revocation answer",
} as const;

export type ObservedFact = keyof typeof OBSERVED_FACTS;

/** Facts this process has already offered to the database: each costs one write per process at most. */
const offered = new Set<ObservedFact>();

export function observeMake(fact: ObservedFact, value: string | number | boolean): void {
  if (offered.has(fact)) return;
  offered.add(fact);
  // Imported when first needed: the sign-in error wrapper observes too, and must load without a database.
  // Straight to `pg`: this runs on page views, where Prisma's client would first load its query compiler.
  const recorded = import("@/lib/db").then(({ pool }) =>
    pool.query(`INSERT INTO "MakeObservation" (fact, value) VALUES ($1, $2) ON CONFLICT (fact) DO NOTHING`, [
      fact,
      String(value),
    ]),
  );
  // Registered with the platform: it often runs after the answer it was seen in has been sent.
  outliveResponse(`record ${fact}`, recorded).catch(() => offered.delete(fact));
}

export interface MakeObservationRow {
  fact: string;
  description: string;
  value: string;
  observedAt: Date;
}

export async function makeObservations(): Promise<MakeObservationRow[]> {
  const { db } = await import("@/lib/db");
  const rows = await db.makeObservation.findMany({ orderBy: { fact: "asc" } });
  return rows.map((row) => ({
    ...row,
    description: OBSERVED_FACTS[row.fact as ObservedFact] ?? row.fact,
  }));
}
