/**
 * Runs once when a server starts. Importing the env module validates every variable, so a missing or
 * bad one stops the server at start with a message naming it, not at the first request. On Node it also
 * starts the sweep that delivers revocations Make has not confirmed yet.
 * @see https://nextjs.org/docs/app/guides/instrumentation
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  await import("@/lib/env");
  const { startRevocationSweep } = await import("@/lib/tokens/revocation-sweep");
  startRevocationSweep();
}
