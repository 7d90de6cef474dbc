/**
 * Whether Make's authorization server answers discovery, for /api/health. A success is cached like every
 * discovery; a failure is remembered for a short while, so anonymous health checks during a Make outage
 * do not each send Make a request (docs/security.md, "The fourth security pass"). Edit it to change what
 * /api/health asks of Make.
 */
import "server-only";
import { authorizationServer } from "@/lib/make/connection/authorization-server";

const FAILURE_REMEMBERED_MS = 20_000;

let lastFailure: { at: number; error: unknown } | undefined;

export async function checkMakeHealth(): Promise<void> {
  const failure = lastFailure;
  if (failure && Date.now() - failure.at < FAILURE_REMEMBERED_MS) throw failure.error;
  try {
    await authorizationServer();
    lastFailure = undefined;
  } catch (error) {
    lastFailure = { at: Date.now(), error };
    throw error;
  }
}
